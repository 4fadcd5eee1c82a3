//! ffprobe: what an uploaded file contains.

use std::path::Path;

use serde::Deserialize;
use tokio::process::Command;

#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub duration_seconds: f64,
    /// Width and height of the first video stream (None for audio-only files).
    pub video: Option<(u32, u32)>,
    pub has_audio: bool,
}

#[derive(Deserialize)]
struct FfprobeOutput {
    #[serde(default)]
    streams: Vec<FfprobeStream>,
    format: Option<FfprobeFormat>,
}

#[derive(Deserialize)]
struct FfprobeStream {
    codec_type: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    #[serde(default)]
    disposition: FfprobeDisposition,
}

#[derive(Deserialize, Default)]
struct FfprobeDisposition {
    #[serde(default)]
    attached_pic: u8,
}

#[derive(Deserialize)]
struct FfprobeFormat {
    duration: Option<String>,
}

/// Parses `ffprobe -print_format json -show_format -show_streams` output.
pub fn parse(json: &str) -> Result<Probe, String> {
    let output: FfprobeOutput =
        serde_json::from_str(json).map_err(|e| format!("unreadable ffprobe output: {e}"))?;
    let duration_seconds = output
        .format
        .and_then(|f| f.duration)
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d > 0.0)
        .ok_or("the file has no duration: it is not a playable video or audio file")?;
    // Cover art in audio files is a "video" stream with the attached_pic disposition.
    let video = output
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("video") && s.disposition.attached_pic == 0)
        .and_then(|s| Some((s.width?, s.height?)));
    let has_audio = output
        .streams
        .iter()
        .any(|s| s.codec_type.as_deref() == Some("audio"));
    if video.is_none() && !has_audio {
        return Err("the file has neither a video nor an audio stream".into());
    }
    Ok(Probe {
        duration_seconds,
        video,
        has_audio,
    })
}

pub async fn probe(file: &Path) -> Result<Probe, String> {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
        ])
        .arg(file)
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| format!("cannot run ffprobe: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "ffprobe could not read the file: {}",
            last_lines(&stderr, 3)
        ));
    }
    parse(&String::from_utf8_lossy(&output.stdout))
}

/// The last lines of a tool's error output: enough to say why, short enough to show.
pub fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let start = lines.len().saturating_sub(n);
    lines[start..].join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_with_audio() {
        let json = r#"{"streams":[{"codec_type":"video","width":1920,"height":1080},{"codec_type":"audio"}],
                      "format":{"duration":"12.500000"}}"#;
        assert_eq!(
            parse(json).unwrap(),
            Probe {
                duration_seconds: 12.5,
                video: Some((1920, 1080)),
                has_audio: true
            }
        );
    }

    #[test]
    fn cover_art_is_not_video() {
        let json = r#"{"streams":[{"codec_type":"audio"},{"codec_type":"video","width":500,"height":500,"disposition":{"attached_pic":1}}],
                      "format":{"duration":"3.0"}}"#;
        let probe = parse(json).unwrap();
        assert_eq!(probe.video, None);
        assert!(probe.has_audio);
    }

    #[test]
    fn files_without_duration_or_streams_are_refused() {
        assert!(parse(r#"{"streams":[{"codec_type":"audio"}],"format":{}}"#).is_err());
        assert!(
            parse(r#"{"streams":[{"codec_type":"data"}],"format":{"duration":"1.0"}}"#).is_err()
        );
        assert!(parse("not json").is_err());
    }
}
