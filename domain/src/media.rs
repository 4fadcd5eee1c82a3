//! What media may be uploaded, and the states it goes through.

use serde::{Deserialize, Serialize};

use crate::Invalid;

const MB: u64 = 1024 * 1024;
pub const MAX_VIDEO_BYTES: u64 = 5 * 1024 * MB;
pub const MAX_AUDIO_BYTES: u64 = 500 * MB;
/// The longest media item accepted (12 hours): a probe that says more is refused, and every
/// lifetime computed from a duration is clamped to it.
pub const MAX_DURATION_SECONDS: f64 = 12.0 * 3600.0;
/// The largest video frame accepted (8K).
pub const MAX_VIDEO_WIDTH: u32 = 7680;
pub const MAX_VIDEO_HEIGHT: u32 = 4320;
/// The widest or highest picture (avatar, logo, cover image) the server accepts.
pub const MAX_IMAGE_SIDE: u32 = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Video,
    Audio,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Video => "video",
            Self::Audio => "audio",
        }
    }

    pub fn from_db(value: &str) -> Option<Self> {
        match value {
            "video" => Some(Self::Video),
            "audio" => Some(Self::Audio),
            _ => None,
        }
    }

    pub fn max_bytes(self) -> u64 {
        match self {
            Self::Video => MAX_VIDEO_BYTES,
            Self::Audio => MAX_AUDIO_BYTES,
        }
    }
}

/// The kind of an upload, from its file name's extension: MP4/MOV/WebM video, MP3/M4A/WAV/AAC audio.
pub fn kind_of_filename(filename: &str) -> Result<MediaKind, Invalid> {
    let extension = filename
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "mp4" | "mov" | "webm" => Ok(MediaKind::Video),
        "mp3" | "m4a" | "wav" | "aac" => Ok(MediaKind::Audio),
        _ => Err(Invalid::new(
            "Unsupported file type. Upload MP4, MOV or WebM video, or MP3, M4A, WAV or AAC audio.",
        )),
    }
}

/// Checks an upload's name and size against the limits of its kind.
pub fn check_upload(filename: &str, size_bytes: u64) -> Result<MediaKind, Invalid> {
    let kind = kind_of_filename(filename)?;
    if size_bytes == 0 {
        return Err(Invalid::new("The file is empty."));
    }
    if size_bytes > kind.max_bytes() {
        let limit = match kind {
            MediaKind::Video => "5 GB",
            MediaKind::Audio => "500 MB",
        };
        return Err(Invalid::new(format!(
            "The file is too large: {} files can be at most {limit}.",
            kind.as_str()
        )));
    }
    Ok(kind)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum MediaStatus {
    Uploading,
    Uploaded,
    Processing,
    Ready,
    Failed,
}

impl MediaStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uploading => "uploading",
            Self::Uploaded => "uploaded",
            Self::Processing => "processing",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }
}

/// One HLS rung of a processed media item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendition {
    pub name: String,
    pub height: Option<u32>,
    pub bandwidth: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_limits() {
        assert_eq!(check_upload("Talk.MP4", 1).unwrap(), MediaKind::Video);
        assert_eq!(check_upload("song.m4a", 1).unwrap(), MediaKind::Audio);
        assert!(check_upload("notes.txt", 1).is_err());
        assert!(check_upload("noextension", 1).is_err());
        assert!(check_upload("empty.mp4", 0).is_err());
        assert!(check_upload("big.mp4", MAX_VIDEO_BYTES).is_ok());
        assert!(check_upload("big.mp4", MAX_VIDEO_BYTES + 1).is_err());
        assert!(check_upload("big.wav", MAX_AUDIO_BYTES + 1).is_err());
    }
}

/// Uploads are sent in parts of this size (the last one is shorter).
pub const CHUNK_SIZE: u64 = 8 * 1024 * 1024;

/// How many parts an upload of `size_bytes` has.
pub fn part_count(size_bytes: u64) -> u64 {
    size_bytes.div_ceil(CHUNK_SIZE)
}

/// The size the part `index` of an upload of `size_bytes` must have.
pub fn part_size(size_bytes: u64, index: u64) -> Option<u64> {
    (index < part_count(size_bytes)).then(|| (size_bytes - index * CHUNK_SIZE).min(CHUNK_SIZE))
}

/// The parts of an upload of `size_bytes` that are stored whole, in order, from what
/// storage holds (part index, stored size); a part of the wrong size does not count.
pub fn received_parts(size_bytes: u64, stored: impl IntoIterator<Item = (u32, u64)>) -> Vec<u32> {
    let mut received: Vec<u32> = stored
        .into_iter()
        .filter(|(index, len)| part_size(size_bytes, u64::from(*index)) == Some(*len))
        .map(|(index, _)| index)
        .collect();
    received.sort_unstable();
    received.dedup();
    received
}

/// What the browser needs to send an upload, or to go on with one: the parts it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadTicket {
    pub media_id: uuid::Uuid,
    pub chunk_size: u64,
    pub parts: u64,
    /// The parts already received (their indexes), which the browser does not send again.
    pub received: Vec<u32>,
}

impl UploadTicket {
    pub fn is_complete(&self) -> bool {
        self.received.len() as u64 == self.parts
    }
}

/// One media item as the owner's media page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaView {
    pub id: uuid::Uuid,
    pub kind: String,
    pub original_filename: String,
    pub size_bytes: i64,
    pub status: MediaStatus,
    pub error: Option<String>,
    pub duration_seconds: Option<f64>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub created_at: time::OffsetDateTime,
    /// What it keeps in storage, once processed.
    pub stored_bytes: Option<i64>,
    /// What every media item of the owner keeps in storage (the same on every row).
    pub total_stored_bytes: Option<i64>,
    /// Its processing job is queued or running (a ready video playing on its lowest rung
    /// while the higher ones encode, too).
    pub encoding: bool,
}

impl MediaView {
    /// Whether its status can still change without the owner doing anything (processing).
    /// An unfinished upload waits for its owner to continue it, so it counts as settled.
    pub fn is_settled(&self) -> bool {
        !self.encoding
            && matches!(
                self.status,
                MediaStatus::Ready | MediaStatus::Failed | MediaStatus::Uploading
            )
    }
}

#[cfg(test)]
mod part_tests {
    use super::*;

    #[test]
    fn parts_cover_the_file() {
        assert_eq!(part_count(1), 1);
        assert_eq!(part_count(CHUNK_SIZE), 1);
        assert_eq!(part_count(CHUNK_SIZE + 1), 2);
        assert_eq!(part_size(CHUNK_SIZE + 1, 0), Some(CHUNK_SIZE));
        assert_eq!(part_size(CHUNK_SIZE + 1, 1), Some(1));
        assert_eq!(part_size(CHUNK_SIZE + 1, 2), None);
    }

    #[test]
    fn received_parts_are_the_whole_ones() {
        let size = 2 * CHUNK_SIZE + 5;
        let stored = [(2, 5), (0, CHUNK_SIZE), (1, 7), (3, 1), (0, CHUNK_SIZE)];
        assert_eq!(received_parts(size, stored), vec![0, 2]);
        assert!(received_parts(size, []).is_empty());
    }
}
