//! ffprobe: what an uploaded file contains.

use std::path::Path;

use domain::media::{MAX_DURATION_SECONDS, MAX_VIDEO_HEIGHT, MAX_VIDEO_WIDTH};
use serde::Deserialize;

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
    format_name: Option<String>,
}

/// The container formats ffprobe and ffmpeg may open (as ffmpeg names its demuxers): those
/// of the accepted uploads, MP4/MOV/M4A, WebM, MP3, WAV and AAC. Anything else, an HLS
/// playlist renamed `.mp4` among them (it would make ffmpeg fetch what it lists), is refused.
pub const FORMAT_WHITELIST: &str = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,mp3,wav,aac";

/// The input options of every ffprobe and ffmpeg run on an uploaded file: local files only,
/// and only the accepted formats.
pub fn input_guard() -> [&'static str; 4] {
    [
        "-protocol_whitelist",
        "file",
        "-format_whitelist",
        FORMAT_WHITELIST,
    ]
}

/// How long ffprobe may take on one file.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Parses `ffprobe -print_format json -show_format -show_streams` output.
pub fn parse(json: &str) -> Result<Probe, String> {
    let output: FfprobeOutput =
        serde_json::from_str(json).map_err(|e| format!("unreadable ffprobe output: {e}"))?;
    let format = output
        .format
        .ok_or("the file has no container: it is not a playable video or audio file")?;
    let allowed: Vec<&str> = FORMAT_WHITELIST.split(',').collect();
    let format_name = format.format_name.unwrap_or_default();
    if !format_name.split(',').any(|name| allowed.contains(&name)) {
        return Err(format!(
            "files of this kind ({format_name}) are not accepted: upload MP4, MOV, WebM, MP3, M4A, WAV or AAC"
        ));
    }
    let duration_seconds = format
        .duration
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d > 0.0)
        .ok_or("the file has no duration: it is not a playable video or audio file")?;
    if duration_seconds > MAX_DURATION_SECONDS {
        return Err("the file is longer than 12 hours".into());
    }
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
    if let Some((width, height)) = video {
        if width == 0 || height == 0 || width > MAX_VIDEO_WIDTH || height > MAX_VIDEO_HEIGHT {
            return Err(format!(
                "the video is {width}x{height}: frames up to {MAX_VIDEO_WIDTH}x{MAX_VIDEO_HEIGHT} are accepted"
            ));
        }
    }
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
    let run = super::tool::command("ffprobe")
        .args(input_guard())
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
        ])
        .arg(file)
        .output();
    let output = tokio::time::timeout(PROBE_TIMEOUT, run)
        .await
        .map_err(|_| "ffprobe took too long on this file".to_string())?
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
                      "format":{"duration":"12.500000","format_name":"mov,mp4,m4a,3gp,3g2,mj2"}}"#;
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
                      "format":{"duration":"3.0","format_name":"mp3"}}"#;
        let probe = parse(json).unwrap();
        assert_eq!(probe.video, None);
        assert!(probe.has_audio);
    }

    #[test]
    fn files_without_duration_or_streams_are_refused() {
        assert!(
            parse(r#"{"streams":[{"codec_type":"audio"}],"format":{"format_name":"mp3"}}"#)
                .is_err()
        );
        assert!(parse(
            r#"{"streams":[{"codec_type":"data"}],"format":{"duration":"1.0","format_name":"mp3"}}"#
        )
        .is_err());
        assert!(parse("not json").is_err());
    }

    #[test]
    fn other_formats_sizes_and_lengths_are_refused() {
        let hls = r#"{"streams":[{"codec_type":"video","width":640,"height":360}],
                     "format":{"duration":"10.0","format_name":"hls"}}"#;
        assert!(parse(hls).unwrap_err().contains("not accepted"));
        let huge = r#"{"streams":[{"codec_type":"video","width":100000,"height":360}],
                      "format":{"duration":"10.0","format_name":"matroska,webm"}}"#;
        assert!(parse(huge).is_err());
        let endless = r#"{"streams":[{"codec_type":"audio"}],
                         "format":{"duration":"9999999999","format_name":"wav"}}"#;
        assert!(parse(endless).is_err());
        let webm = r#"{"streams":[{"codec_type":"video","width":640,"height":360}],
                      "format":{"duration":"10.0","format_name":"matroska,webm"}}"#;
        assert!(parse(webm).is_ok());
    }
}
