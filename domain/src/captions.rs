//! Captions: the owner uploads a WebVTT or SRT file per language for an item; SRT is turned
//! into WebVTT, which is what browsers show as a `<track>`.

use serde::{Deserialize, Serialize};

/// The largest captions file taken (a feature film's subtitles are about 100 KB).
pub const MAX_CAPTION_BYTES: usize = 512 * 1024;
/// How many languages an item may have captions in.
pub const MAX_CAPTION_TRACKS: usize = 20;
const MAX_LABEL_CHARS: usize = 50;

/// One captions track of an item, as the player and the editor list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptionTrack {
    pub language: String,
    pub label: String,
}

/// A language tag as `<track srclang>` takes it: `en`, `pt-BR`, `es-419`. Stored lower-case
/// language, upper-case region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language(String);

impl Language {
    pub fn parse(text: &str) -> Result<Self, BadCaptions> {
        let text = text.trim();
        let invalid = || BadCaptions::Language;
        let (language, region) = match text.split_once(['-', '_']) {
            Some((language, region)) => (language, Some(region)),
            None => (text, None),
        };
        if !(2..=3).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_alphabetic())
        {
            return Err(invalid());
        }
        let region = match region {
            None => None,
            Some(r) if r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Some(r.to_ascii_uppercase())
            }
            Some(r) if r.len() == 3 && r.bytes().all(|b| b.is_ascii_digit()) => Some(r.to_string()),
            Some(_) => return Err(invalid()),
        };
        let language = language.to_ascii_lowercase();
        Ok(Self(match region {
            Some(region) => format!("{language}-{region}"),
            None => language,
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name the captions menu shows; the language code when left empty.
pub fn parse_label(text: &str, language: &Language) -> Result<String, BadCaptions> {
    let text = text.trim();
    if text.chars().count() > MAX_LABEL_CHARS || text.chars().any(char::is_control) {
        return Err(BadCaptions::Label);
    }
    Ok(if text.is_empty() {
        language.as_str().to_string()
    } else {
        text.to_string()
    })
}

/// Why a captions upload was refused; its `code` travels in the editor's address
/// (`?captions=`) after the plain form's post, and comes back as the same message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadCaptions {
    #[error("Choose a captions file to upload.")]
    Missing,
    #[error("That captions file is larger than 512 KB.")]
    TooLarge,
    #[error("That captions file is not UTF-8 text.")]
    NotText,
    #[error("Upload a WebVTT (.vtt) or SRT (.srt) file.")]
    NotCaptions,
    #[error("Line {0} of the captions file is not a valid cue timing.")]
    BadTiming(usize),
    #[error("Language: use a code such as en, fr or pt-BR.")]
    Language,
    #[error("Name: one line of at most 50 characters.")]
    Label,
    #[error("An item has captions in at most 20 languages.")]
    TooMany,
}

impl BadCaptions {
    pub fn code(&self) -> String {
        match self {
            Self::Missing => "missing".into(),
            Self::TooLarge => "too-large".into(),
            Self::NotText => "not-text".into(),
            Self::NotCaptions => "not-captions".into(),
            Self::BadTiming(line) => format!("bad-timing-{line}"),
            Self::Language => "language".into(),
            Self::Label => "label".into(),
            Self::TooMany => "too-many".into(),
        }
    }

    pub fn from_code(code: &str) -> Self {
        match code {
            "too-large" => Self::TooLarge,
            "not-text" => Self::NotText,
            "not-captions" => Self::NotCaptions,
            "language" => Self::Language,
            "label" => Self::Label,
            "too-many" => Self::TooMany,
            _ => match code
                .strip_prefix("bad-timing-")
                .and_then(|n| n.parse().ok())
            {
                Some(line) => Self::BadTiming(line),
                None => Self::Missing,
            },
        }
    }
}

/// `hh:mm:ss.ttt` (or SRT's `hh:mm:ss,ttt`; hours may be left out), in milliseconds.
fn parse_timestamp(text: &str) -> Option<u64> {
    let (clock, millis) = text.split_once(['.', ','])?;
    if millis.len() != 3 || !millis.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let parts: Vec<&str> = clock.split(':').collect();
    let numbers: Vec<u64> = parts
        .iter()
        .map(|p| {
            (p.len() >= 2 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect::<Option<_>>()?;
    let (h, m, s) = match numbers.as_slice() {
        [m, s] => (0, *m, *s),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    let millis: u64 = millis.parse().ok()?;
    (m < 60 && s < 60).then_some(((h * 60 + m) * 60 + s) * 1000 + millis)
}

fn format_timestamp(ms: u64) -> String {
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    format!(
        "{h:02}:{:02}:{:02}.{:03}",
        rest / 60_000,
        (rest % 60_000) / 1000,
        rest % 1000
    )
}

/// A cue timing line (`start --> end [settings]`), written the WebVTT way; `None` if the
/// line is not one or its end is before its start.
fn timing_line(line: &str) -> Option<String> {
    let (start, rest) = line.split_once("-->")?;
    let rest = rest.trim();
    let (end, settings) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let (start, end) = (parse_timestamp(start.trim())?, parse_timestamp(end)?);
    if end < start {
        return None;
    }
    let settings = settings.trim();
    let mut timing = format!("{} --> {}", format_timestamp(start), format_timestamp(end));
    // SRT has no cue settings (some tools write X1:… Y1:… coordinates there): only WebVTT's.
    if !settings.is_empty() && !settings.contains("X1:") {
        timing.push(' ');
        timing.push_str(settings);
    }
    Some(timing)
}

/// The file as WebVTT: a WebVTT file is checked and kept as it is (its line breaks made
/// `\n`); anything else is read as SRT and converted. At least one cue, every timing line
/// well formed.
pub fn to_webvtt(bytes: &[u8]) -> Result<String, BadCaptions> {
    if bytes.is_empty() {
        return Err(BadCaptions::Missing);
    }
    if bytes.len() > MAX_CAPTION_BYTES {
        return Err(BadCaptions::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| BadCaptions::NotText)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if text.contains('\0') || !text.contains("-->") {
        return Err(BadCaptions::NotCaptions);
    }
    let is_webvtt = text.lines().next().is_some_and(|first| {
        first == "WEBVTT" || first.starts_with("WEBVTT ") || first.starts_with("WEBVTT\t")
    });
    let mut cues = 0;
    let mut out = String::with_capacity(text.len() + 16);
    if is_webvtt {
        for (n, line) in text.lines().enumerate() {
            if line.contains("-->") {
                timing_line(line).ok_or(BadCaptions::BadTiming(n + 1))?;
                cues += 1;
            }
        }
        out.push_str(&text);
    } else {
        out.push_str("WEBVTT\n\n");
        let mut line_number = 1;
        for block in text.split("\n\n") {
            let first_line = line_number;
            line_number += block.lines().count().max(1) + 1;
            if block.trim().is_empty() {
                continue;
            }
            let cue = block.trim_start_matches('\n');
            let first_line = first_line + (block.len() - cue.len());
            let mut lines = cue.lines().enumerate().peekable();
            // A cue number, then its timing, then its text.
            if lines.peek().is_some_and(|(_, l)| !l.contains("-->")) {
                lines.next();
            }
            let (at, timing) = lines.next().unwrap_or((0, ""));
            let timing = timing_line(timing).ok_or(BadCaptions::BadTiming(first_line + at))?;
            out.push_str(&timing);
            out.push('\n');
            for (_, line) in lines {
                // A cue's text cannot hold the timing arrow in WebVTT.
                out.push_str(&line.replace("-->", "→"));
                out.push('\n');
            }
            out.push('\n');
            cues += 1;
        }
    }
    if cues == 0 {
        return Err(BadCaptions::NotCaptions);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_codes_with_an_optional_region() {
        for (text, code) in [
            ("en", "en"),
            (" FR ", "fr"),
            ("pt-br", "pt-BR"),
            ("pt_BR", "pt-BR"),
            ("es-419", "es-419"),
            ("yue", "yue"),
        ] {
            assert_eq!(Language::parse(text).unwrap().as_str(), code, "{text}");
        }
        for bad in [
            "", "e", "english", "en-", "en-USA", "e1", "en-1", "../x", "en US",
        ] {
            assert!(Language::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn labels_default_to_the_language() {
        let en = Language::parse("en").unwrap();
        assert_eq!(parse_label("  ", &en).unwrap(), "en");
        assert_eq!(parse_label(" English ", &en).unwrap(), "English");
        assert!(parse_label(&"x".repeat(51), &en).is_err());
        assert!(parse_label("a\nb", &en).is_err());
    }

    #[test]
    fn srt_becomes_webvtt() {
        let srt = "\u{feff}1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\nthere\r\n\r\n2\r\n00:01:02,003 --> 01:00:00,000 X1:10 X2:20 Y1:1 Y2:2\r\n<i>Bye</i> --> gone\r\n";
        assert_eq!(
            to_webvtt(srt.as_bytes()).unwrap(),
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello\nthere\n\n00:01:02.003 --> 01:00:00.000\n<i>Bye</i> → gone\n\n"
        );
    }

    #[test]
    fn webvtt_is_checked_and_kept() {
        let vtt = "WEBVTT - English\n\nintro\n00:01.000 --> 00:04.000 line:0 align:start\nHi\n";
        assert_eq!(to_webvtt(vtt.as_bytes()).unwrap(), vtt);
        let bad = "WEBVTT\n\n00:01.000 --> soon\nHi\n";
        assert_eq!(to_webvtt(bad.as_bytes()), Err(BadCaptions::BadTiming(3)));
        let srt = "1\n00:00:01,000 --> 00:00:02,000\nOne\n\n2\n00:00:03 --> 00:00:04,000\nTwo\n";
        assert_eq!(to_webvtt(srt.as_bytes()), Err(BadCaptions::BadTiming(6)));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            &b""[..],
            b"just some text",
            b"WEBVTT\n\nno cues here",
            b"1\n00:00:05,000 --> 00:00:01,000\nends before it starts\n",
            b"1\n00:00:01,000 --> 00:00:02,000\n\xff\xfe",
            b"\x89PNG\r\n\x1a\n\0\0",
        ] {
            assert!(to_webvtt(bad).is_err(), "{bad:?}");
        }
        assert!(to_webvtt(&vec![b'a'; MAX_CAPTION_BYTES + 1]).is_err());
    }

    #[test]
    fn refusals_travel_as_codes() {
        for bad in [
            BadCaptions::Missing,
            BadCaptions::TooLarge,
            BadCaptions::NotText,
            BadCaptions::NotCaptions,
            BadCaptions::BadTiming(12),
            BadCaptions::Language,
            BadCaptions::Label,
            BadCaptions::TooMany,
        ] {
            assert_eq!(BadCaptions::from_code(&bad.code()), bad);
        }
        assert_eq!(BadCaptions::from_code("<script>"), BadCaptions::Missing);
    }

    #[test]
    fn timestamps_read_both_ways() {
        assert_eq!(parse_timestamp("01:02:03.004"), Some(3_723_004));
        assert_eq!(parse_timestamp("02:03,004"), Some(123_004));
        assert_eq!(parse_timestamp("1:02.000"), None);
        assert_eq!(parse_timestamp("00:60:00.000"), None);
        assert_eq!(format_timestamp(3_723_004), "01:02:03.004");
    }
}
