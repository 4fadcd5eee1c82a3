//! The `Range` request header (RFC 9110 section 14), for the one form players and browsers
//! send: a single `bytes=` range. Anything else is answered with the whole file, as the RFC
//! allows.

/// What to send for a request's `Range` header and a file of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAnswer {
    /// The whole file (no header, several ranges, or a header we do not read).
    Whole,
    /// Bytes `start..=end` (inclusive, as `Content-Range` writes them).
    Part { start: u64, end: u64 },
    /// A range that starts past the end: `416`.
    Unsatisfiable,
}

/// The `Range` header of a request, if it has a readable one.
pub fn of(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::RANGE)
        .and_then(|value| value.to_str().ok())
}

pub fn answer(header: Option<&str>, size: u64) -> RangeAnswer {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeAnswer::Whole;
    };
    if spec.contains(',') {
        return RangeAnswer::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAnswer::Whole;
    };
    let number = |text: &str| -> Option<u64> {
        let text = text.trim();
        (!text.is_empty() && text.len() <= 20 && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse().ok())
            .flatten()
    };
    match (number(first), number(last), last.trim().is_empty()) {
        // bytes=-N: the last N bytes.
        (None, Some(suffix), _) if first.trim().is_empty() => {
            if suffix == 0 || size == 0 {
                RangeAnswer::Unsatisfiable
            } else {
                RangeAnswer::Part {
                    start: size.saturating_sub(suffix),
                    end: size - 1,
                }
            }
        }
        // bytes=A- and bytes=A-B.
        (Some(start), end, open) if end.is_some() || open => {
            if start >= size {
                return RangeAnswer::Unsatisfiable;
            }
            match end {
                Some(end) if end < start => RangeAnswer::Whole,
                Some(end) => RangeAnswer::Part {
                    start,
                    end: end.min(size - 1),
                },
                None => RangeAnswer::Part {
                    start,
                    end: size - 1,
                },
            }
        }
        _ => RangeAnswer::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RangeAnswer::*;

    #[test]
    fn single_ranges() {
        assert_eq!(answer(Some("bytes=0-99"), 1000), Part { start: 0, end: 99 });
        assert_eq!(
            answer(Some("bytes=500-"), 1000),
            Part {
                start: 500,
                end: 999
            }
        );
        assert_eq!(
            answer(Some("bytes=-100"), 1000),
            Part {
                start: 900,
                end: 999
            }
        );
        assert_eq!(
            answer(Some("bytes=-5000"), 1000),
            Part { start: 0, end: 999 }
        );
        assert_eq!(
            answer(Some("bytes=900-5000"), 1000),
            Part {
                start: 900,
                end: 999
            }
        );
    }

    #[test]
    fn past_the_end_is_unsatisfiable() {
        assert_eq!(answer(Some("bytes=1000-"), 1000), Unsatisfiable);
        assert_eq!(answer(Some("bytes=-0"), 1000), Unsatisfiable);
        assert_eq!(answer(Some("bytes=0-"), 0), Unsatisfiable);
    }

    #[test]
    fn anything_else_is_the_whole_file() {
        for header in [
            None,
            Some(""),
            Some("bytes=0-1,5-6"),
            Some("items=0-1"),
            Some("bytes=abc"),
            Some("bytes=5-1"),
            Some("bytes=-"),
            Some("bytes=+1-2"),
            Some("bytes=99999999999999999999999-"),
        ] {
            assert_eq!(answer(header, 1000), Whole, "{header:?}");
        }
    }
}
