//! Streams at once: the owner's limit per account, the open players a customer has (each a
//! lease renewed with its playback token).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::devices::ago;
use crate::Invalid;

/// The most streams at once an owner may allow per account (and the tier override's).
pub const MAX_STREAMS: u16 = 20;

/// How many players one account may have open at once; `None`: no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StreamLimit(Option<u16>);

impl StreamLimit {
    pub const OFF: StreamLimit = StreamLimit(None);

    /// The "Streams at once" field: blank or `0` for no limit, else 1 to 20.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        if text.is_empty() || text == "0" {
            return Ok(Self::OFF);
        }
        match text.parse::<u16>() {
            Ok(n) if (1..=MAX_STREAMS).contains(&n) => Ok(Self(Some(n))),
            _ => Err(Invalid::new(format!(
                "Streams at once: a whole number from 1 to {MAX_STREAMS}, or blank for no limit."
            ))),
        }
    }

    /// From the database's `SMALLINT` (NULL: no limit).
    pub fn from_db(value: Option<i16>) -> Self {
        Self(
            value
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| *n >= 1),
        )
    }

    pub fn to_db(self) -> Option<i16> {
        self.0.map(|n| n as i16)
    }

    pub fn get(self) -> Option<u16> {
        self.0
    }

    /// The field's value: the number, or blank for no limit.
    pub fn field(self) -> String {
        self.0.map(|n| n.to_string()).unwrap_or_default()
    }
}

/// One open player of the caller's, as the watch page and `/account` list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveStream {
    pub id: Uuid,
    pub item_title: String,
    /// "Chrome on Windows", from the player's user agent.
    pub device: String,
    /// The network it plays from ("203.0.113.0/24"), never the address.
    pub network: String,
    pub last_active_seconds_ago: u64,
    /// This browser's own player.
    pub this_device: bool,
}

impl ActiveStream {
    pub fn last_active(&self) -> String {
        ago(self.last_active_seconds_ago)
    }
}

/// What opening the player gives: the player, or the open streams when the limit is reached.
/// Untagged: the player's JSON is the `WatchInfo` itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WatchStart {
    Play(Box<crate::playback::WatchInfo>),
    TooManyStreams {
        limit: u16,
        streams: Vec<ActiveStream>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_blank_or_one_to_twenty() {
        assert_eq!(StreamLimit::parse("").unwrap(), StreamLimit::OFF);
        assert_eq!(StreamLimit::parse(" 0 ").unwrap(), StreamLimit::OFF);
        assert_eq!(StreamLimit::parse("2").unwrap().get(), Some(2));
        assert_eq!(StreamLimit::parse("20").unwrap().to_db(), Some(20));
        for bad in ["21", "-1", "two", "1.5"] {
            assert!(StreamLimit::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(StreamLimit::from_db(None), StreamLimit::OFF);
        assert_eq!(StreamLimit::from_db(Some(3)).field(), "3");
        assert_eq!(StreamLimit::OFF.field(), "");
    }
}
