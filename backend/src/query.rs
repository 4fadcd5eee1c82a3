//! Helpers for the filters and searches of list pages, shared by every feature. Part of the
//! ground floor: it names no feature.

/// A filter from a query string: trimmed, at most 100 characters, `None` when empty.
pub fn clean_filter(value: Option<String>) -> Option<String> {
    value
        .map(|s| s.trim().chars().take(100).collect::<String>())
        .filter(|s| !s.is_empty())
}

/// An `ILIKE` pattern that finds `query` anywhere, its own `%`, `_` and `\` taken literally.
pub fn search_pattern(query: Option<String>) -> Option<String> {
    clean_filter(query).map(|q| {
        format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    })
}

/// Which rows of a list: at most `limit`, from `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: i64,
    pub offset: i64,
}

impl Window {
    /// Every row (an export).
    pub const ALL: Window = Window {
        limit: i64::MAX,
        offset: 0,
    };

    /// Page `page` (from 1) of `size` rows.
    pub fn page(page: i64, size: i64) -> Self {
        Self {
            limit: size,
            offset: (page - 1) * size,
        }
    }
}
