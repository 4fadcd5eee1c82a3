//! Chapters: the owner types them as YouTube does, one per line (`0:00 Intro`,
//! `1:02:03 Part two`); the player and the item page list them.

use serde::{Deserialize, Serialize};

use crate::Invalid;

pub const MAX_CHAPTERS: usize = 100;
const MAX_TITLE_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chapter {
    pub start_seconds: i32,
    pub title: String,
}

impl Chapter {
    /// `1:05`, or `1:02:03` from an hour on.
    pub fn timestamp(&self) -> String {
        let total = self.start_seconds.max(0);
        let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
        if h > 0 {
            format!("{h}:{m:02}:{s:02}")
        } else {
            format!("{m}:{s:02}")
        }
    }
}

/// `m:ss`, `mm:ss` or `h:mm:ss` in seconds.
fn parse_time(text: &str) -> Option<i32> {
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let numbers: Vec<i32> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (h, m, s) = match numbers.as_slice() {
        [m, s] => (0, *m, *s),
        [h, m, s] if *m < 60 => (*h, *m, *s),
        _ => return None,
    };
    (s < 60).then_some(h * 3600 + m * 60 + s)
}

/// The chapters in the text, one per line: a time, then the title (a `-` between is
/// dropped). Empty text is no chapters. The first starts at 0:00 and each starts after the
/// one before.
pub fn parse_chapters(text: &str) -> Result<Vec<Chapter>, Invalid> {
    let mut chapters: Vec<Chapter> = Vec::new();
    for (n, line) in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let line_no = n + 1;
        if chapters.len() == MAX_CHAPTERS {
            return Err(Invalid::new(format!("Chapters: at most {MAX_CHAPTERS}.")));
        }
        let (time, title) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let start_seconds = parse_time(time).ok_or_else(|| {
            Invalid::new(format!(
                "Chapters, line {line_no}: start with a time like 0:00 or 1:02:03."
            ))
        })?;
        let title = title
            .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—'))
            .trim_end()
            .to_string();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            return Err(Invalid::new(format!(
                "Chapters, line {line_no}: a title of 1 to {MAX_TITLE_CHARS} characters after the time."
            )));
        }
        match chapters.last() {
            None if start_seconds != 0 => {
                return Err(Invalid::new("Chapters: the first one starts at 0:00."))
            }
            Some(before) if start_seconds <= before.start_seconds => {
                return Err(Invalid::new(format!(
                    "Chapters, line {line_no}: each chapter starts after the one before."
                )))
            }
            _ => {}
        }
        chapters.push(Chapter {
            start_seconds,
            title,
        });
    }
    Ok(chapters)
}

/// The chapters as the owner types them, for the editor.
pub fn chapters_text(chapters: &[Chapter]) -> String {
    chapters
        .iter()
        .map(|c| format!("{} {}", c.timestamp(), c.title))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_read_as_youtube_writes_them() {
        let chapters = parse_chapters("0:00 Intro\n\n1:30 - The middle\n1:02:03 Late").unwrap();
        assert_eq!(
            chapters.iter().map(|c| c.start_seconds).collect::<Vec<_>>(),
            vec![0, 90, 3723]
        );
        assert_eq!(chapters[1].title, "The middle");
        assert_eq!(chapters[2].timestamp(), "1:02:03");
        assert_eq!(
            chapters_text(&chapters),
            "0:00 Intro\n1:30 The middle\n1:02:03 Late"
        );
        assert_eq!(parse_chapters(&chapters_text(&chapters)).unwrap(), chapters);
        assert_eq!(parse_chapters("  \n").unwrap(), vec![]);
    }

    #[test]
    fn bad_chapters_say_which_line() {
        for (text, message) in [
            ("0:10 Late start", "first one starts at 0:00"),
            ("0:00 A\n0:00 B", "line 2: each chapter starts after"),
            ("0:00 A\nsoon B", "line 2: start with a time"),
            ("0:00", "line 1: a title"),
            ("0:60 A", "line 1: start with a time"),
            ("1:60:00 A", "line 1: start with a time"),
            ("0:00:00:00 A", "line 1: start with a time"),
        ] {
            let error = parse_chapters(text).unwrap_err().to_string();
            assert!(error.contains(message), "{text:?}: {error}");
        }
        let many: String = (0..101)
            .map(|i| format!("{}:{:02} C\n", i / 60, i % 60))
            .collect();
        assert!(parse_chapters(&many)
            .unwrap_err()
            .to_string()
            .contains("at most 100"));
        assert!(parse_chapters(&format!("0:00 {}", "x".repeat(101))).is_err());
    }
}
