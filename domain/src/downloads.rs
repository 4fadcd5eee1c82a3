//! Downloads: files (PDF or ZIP) the owner attaches to an item; people with access download
//! them through short-lived signed links.

use serde::{Deserialize, Serialize};

/// The largest file an item may offer.
pub const MAX_DOWNLOAD_BYTES: u64 = 100 * 1024 * 1024;
/// How many files one item may offer.
pub const MAX_DOWNLOADS_PER_ITEM: i64 = 20;
const MAX_FILENAME_CHARS: usize = 200;

/// A file an item offers, as the editor and the item page list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Download {
    pub id: uuid::Uuid,
    pub filename: String,
    pub size_bytes: i64,
}

impl Download {
    /// `2.4 MB`, `830 KB`.
    pub fn size_text(&self) -> String {
        let bytes = self.size_bytes.max(0) as f64;
        if bytes >= 1024.0 * 1024.0 {
            format!("{:.1} MB", bytes / (1024.0 * 1024.0))
        } else {
            format!("{} KB", (bytes / 1024.0).ceil() as i64)
        }
    }
}

/// Why a file was refused; its `code` travels in the editor's address (`?download=`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadDownload {
    #[error("Choose a file to upload.")]
    Missing,
    #[error("That file is larger than 100 MB.")]
    TooLarge,
    #[error("Upload a PDF or ZIP file.")]
    NotAllowed,
    #[error("An item offers at most 20 files.")]
    TooMany,
}

impl BadDownload {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::TooLarge => "too-large",
            Self::NotAllowed => "not-allowed",
            Self::TooMany => "too-many",
        }
    }

    pub fn from_code(code: &str) -> Self {
        match code {
            "too-large" => Self::TooLarge,
            "not-allowed" => Self::NotAllowed,
            "too-many" => Self::TooMany,
            _ => Self::Missing,
        }
    }
}

/// The file's type from its first bytes (never from what the browser claims): PDF or ZIP.
pub fn sniff(first_bytes: &[u8]) -> Option<&'static str> {
    match first_bytes {
        [b'%', b'P', b'D', b'F', b'-', ..] => Some("application/pdf"),
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => Some("application/zip"),
        _ => None,
    }
}

/// The name the file is offered under: the browser's name without folders, control or
/// quoting characters, at most 200 characters; `download.<ext>` when nothing is left.
pub fn safe_filename(name: &str, content_type: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '\\'))
        .take(MAX_FILENAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    if cleaned.is_empty() {
        let extension = if content_type == "application/pdf" {
            "pdf"
        } else {
            "zip"
        };
        format!("download.{extension}")
    } else {
        cleaned
    }
}

/// `Content-Disposition` for the file: an ASCII fallback name and the exact one (RFC 6266).
pub fn content_disposition(filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pdf_and_zip_are_taken() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff(b"PK\x03\x04rest"), Some("application/zip"));
        assert_eq!(sniff(b"PK\x05\x06"), Some("application/zip"));
        for bad in [&b""[..], b"%PD", b"MZ\x90\0", b"<html>", b"\x7fELF"] {
            assert_eq!(sniff(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn filenames_lose_folders_and_quotes() {
        assert_eq!(
            safe_filename("C:\\Users\\me\\Workbook.pdf", "application/pdf"),
            "Workbook.pdf"
        );
        assert_eq!(
            safe_filename("../../etc/passwd", "application/zip"),
            "passwd"
        );
        assert_eq!(
            safe_filename("a\"b;c\r\n.zip", "application/zip"),
            "abc.zip"
        );
        assert_eq!(safe_filename("..", "application/pdf"), "download.pdf");
        assert_eq!(
            safe_filename(&"x".repeat(300), "application/pdf").len(),
            200
        );
    }

    #[test]
    fn disposition_keeps_the_exact_name_encoded() {
        assert_eq!(
            content_disposition("Café notes.pdf"),
            "attachment; filename=\"Caf_ notes.pdf\"; filename*=UTF-8''Caf%C3%A9%20notes.pdf"
        );
    }

    #[test]
    fn sizes_read_in_kb_or_mb() {
        let file = |size_bytes| Download {
            id: uuid::Uuid::nil(),
            filename: "f.pdf".into(),
            size_bytes,
        };
        assert_eq!(file(1).size_text(), "1 KB");
        assert_eq!(file(2_500_000).size_text(), "2.4 MB");
    }

    #[test]
    fn refusals_travel_as_codes() {
        for bad in [
            BadDownload::Missing,
            BadDownload::TooLarge,
            BadDownload::NotAllowed,
            BadDownload::TooMany,
        ] {
            assert_eq!(BadDownload::from_code(bad.code()), bad);
        }
    }
}
