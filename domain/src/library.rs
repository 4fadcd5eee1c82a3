//! The customer's library: every item they may play, with how far they got, a "Continue
//! watching" row, search by title, a tag filter and three sort orders.

use serde::{Deserialize, Serialize};

use crate::playback::resume_position;

/// How the library is ordered; the date an item was added (bought or got) comes first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LibrarySort {
    #[default]
    Added,
    Title,
    Duration,
}

impl LibrarySort {
    pub const ALL: [Self; 3] = [Self::Added, Self::Title, Self::Duration];

    /// Anything unknown falls back to the default order.
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("title") => Self::Title,
            Some("duration") => Self::Duration,
            _ => Self::Added,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Title => "title",
            Self::Duration => "duration",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Added => "Date added",
            Self::Title => "Title",
            Self::Duration => "Duration",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryItem {
    pub content_id: uuid::Uuid,
    pub slug: String,
    pub title: String,
    pub kind: Option<String>,
    pub duration_seconds: Option<f64>,
    pub media_id: Option<uuid::Uuid>,
    pub has_thumbnail: bool,
    pub custom_thumbnail: bool,
    pub tags: Vec<String>,
    pub position_seconds: Option<f64>,
    pub completed: bool,
    /// When the caller got it, as `27 Nov 2026`.
    pub added_on: String,
    /// Held on a rental only: what is left of it.
    pub rental: Option<RentalLeft>,
}

/// What is left of a rental.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RentalLeft {
    pub seconds_left: i64,
    /// Played once: the viewing period runs.
    pub started: bool,
}

impl RentalLeft {
    /// `Rental: 71 hours left` once started, `Rental: start within 29 days` before.
    pub fn label(self) -> String {
        let hours = (self.seconds_left.max(0) + 3599) / 3600;
        let days = (self.seconds_left.max(0) + 86_399) / 86_400;
        let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
        match (self.started, hours) {
            (true, h) if h <= 96 => format!("Rental: {} left", plural(h, "hour")),
            (true, _) => format!("Rental: {} left", plural(days, "day")),
            (false, h) if h <= 48 => format!("Rental: start within {}", plural(h, "hour")),
            (false, _) => format!("Rental: start within {}", plural(days, "day")),
        }
    }
}

/// How much of an item has been watched, in whole percent.
pub fn percent_watched(position: Option<f64>, duration: Option<f64>, completed: bool) -> u8 {
    if completed {
        return 100;
    }
    match (position, duration) {
        (Some(position), Some(duration)) if duration > 0.0 => {
            (position / duration * 100.0).clamp(0.0, 100.0).floor() as u8
        }
        _ => 0,
    }
}

/// `Completed`, `40% watched`, or `Not started` (never played).
pub fn progress_label(percent: u8, started: bool) -> String {
    match percent {
        100 => "Completed".to_string(),
        0 if !started => "Not started".to_string(),
        n => format!("{n}% watched"),
    }
}

/// How far the caller got in an item, for the catalog's cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemProgress {
    pub content_id: uuid::Uuid,
    pub percent: u8,
}

impl LibraryItem {
    /// How much has been watched, in whole percent.
    pub fn percent_watched(&self) -> u8 {
        percent_watched(self.position_seconds, self.duration_seconds, self.completed)
    }

    /// Started, and playback would resume part-way (not completed, not in the last 5 %).
    pub fn is_in_progress(&self) -> bool {
        !self.completed && resume_position(self.position_seconds, self.duration_seconds) > 0.0
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Library {
    /// The items a receipt link opened (`?open=`: an item, or a bundle's items), shown first.
    pub opened: Vec<LibraryItem>,
    /// The items that match the search and the filter, in the chosen order.
    pub items: Vec<LibraryItem>,
    /// Started items, the most recently watched first (search and filter do not apply).
    pub continue_watching: Vec<LibraryItem>,
    /// Every tag among the caller's items, for the filter.
    pub tags: Vec<String>,
    /// How many items the caller has in all.
    pub total: usize,
}

#[cfg(test)]
mod tests {
    use super::RentalLeft;

    #[test]
    fn a_rental_says_how_long_is_left() {
        let left = |seconds_left, started| {
            RentalLeft {
                seconds_left,
                started,
            }
            .label()
        };
        assert_eq!(left(30 * 86_400 - 5, false), "Rental: start within 30 days");
        assert_eq!(left(3_000, false), "Rental: start within 1 hour");
        assert_eq!(left(72 * 3_600 - 5, true), "Rental: 72 hours left");
        assert_eq!(left(10 * 86_400, true), "Rental: 10 days left");
    }
}
