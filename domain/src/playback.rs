//! Playback: who may watch, the signed playlist URL, and where each viewer stopped.

use serde::{Deserialize, Serialize};

/// Resume only before the last 5 %; from 95 % on an item counts as completed.
pub const COMPLETED_AT: f64 = 0.95;

/// What the watch page needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchInfo {
    pub content_id: uuid::Uuid,
    /// The stream lease the player renews with its token (none for the owner).
    pub lease: Option<uuid::Uuid>,
    pub slug: String,
    pub title: String,
    pub kind: String,
    /// The master playlist, with a short-lived token scoped to this media item and viewer.
    pub master_url: String,
    /// Seconds the master URL's token lives; the player renews it before then.
    pub token_lifetime_seconds: u64,
    /// The item's picture: the video's poster, the audio's cover art.
    pub cover_url: Option<String>,
    pub duration_seconds: Option<f64>,
    /// Where to start: the saved position, or 0 when there is none or it is in the last 5 %.
    pub resume_at: f64,
    pub chapters: Vec<crate::chapters::Chapter>,
    /// The item's captions, each with its URL under the same token as `master_url`.
    pub captions: Vec<CaptionSource>,
}

/// A captions track the player offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptionSource {
    pub language: String,
    pub label: String,
    pub url: String,
}

/// A fresh playback token for the open player, which puts it in every URL it loads next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaybackGrant {
    pub token: String,
    pub lifetime_seconds: u64,
}

/// Where playback resumes for a saved position.
pub fn resume_position(saved: Option<f64>, duration: Option<f64>) -> f64 {
    match (saved, duration) {
        (Some(position), Some(duration))
            if duration > 0.0 && position < duration * COMPLETED_AT =>
        {
            position.max(0.0)
        }
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::resume_position;

    #[test]
    fn resumes_unless_near_the_end() {
        assert_eq!(resume_position(Some(30.0), Some(100.0)), 30.0);
        assert_eq!(resume_position(Some(94.9), Some(100.0)), 94.9);
        assert_eq!(resume_position(Some(95.0), Some(100.0)), 0.0);
        assert_eq!(resume_position(None, Some(100.0)), 0.0);
        assert_eq!(resume_position(Some(10.0), None), 0.0);
    }
}
