//! ffmpeg commands: video to an HLS ladder, audio to HLS AAC, and the thumbnail.

use std::path::Path;
use std::time::Duration;

use super::probe::{input_guard, last_lines};
use super::tool;
use domain::media::{Rendition, MAX_DURATION_SECONDS};

/// HLS segment length, in seconds.
pub const SEGMENT_SECONDS: u32 = 6;

/// One rung of the video ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rung {
    pub height: u32,
    pub video_kbps: u32,
    pub audio_kbps: u32,
}

const LADDER: [Rung; 4] = [
    Rung {
        height: 1080,
        video_kbps: 5000,
        audio_kbps: 128,
    },
    Rung {
        height: 720,
        video_kbps: 2800,
        audio_kbps: 128,
    },
    Rung {
        height: 480,
        video_kbps: 1400,
        audio_kbps: 96,
    },
    Rung {
        height: 360,
        video_kbps: 800,
        audio_kbps: 96,
    },
];

/// The rungs for a source of this height: never upscale; a source below 360p gets one rung
/// at its own (even) height.
pub fn ladder(source_height: u32) -> Vec<Rung> {
    let rungs: Vec<Rung> = LADDER
        .iter()
        .copied()
        .filter(|r| r.height <= source_height)
        .collect();
    if rungs.is_empty() {
        let height = (source_height.max(2) / 2) * 2;
        return vec![Rung {
            height,
            ..LADDER[3]
        }];
    }
    rungs
}

pub fn renditions(rungs: &[Rung]) -> Vec<Rendition> {
    rungs
        .iter()
        .map(|r| Rendition {
            name: format!("{}p", r.height),
            height: Some(r.height),
            bandwidth: (r.video_kbps + r.audio_kbps) * 1000,
        })
        .collect()
}

/// `-y -v error`, the input guard (local files, accepted formats only) and `-i input`.
fn input_args(input: &Path) -> Vec<String> {
    let mut args: Vec<String> = vec!["-y".into(), "-v".into(), "error".into()];
    args.extend(input_guard().map(String::from));
    args.extend(["-i".into(), input.display().to_string()]);
    args
}

/// How long one ffmpeg run may take on a file of `duration_seconds`: ten minutes, and four
/// times the duration on top (the encoder runs at about real time on two cores).
pub fn time_limit(duration_seconds: f64) -> Duration {
    let duration = duration_seconds.clamp(0.0, MAX_DURATION_SECONDS);
    Duration::from_secs(600) + Duration::from_secs_f64(duration * 4.0)
}

/// The ffmpeg arguments turning `input` into an HLS ladder under `out` (one folder per rung,
/// named after its height, and `master.m3u8`).
pub fn video_args(input: &Path, out: &Path, rungs: &[Rung], has_audio: bool) -> Vec<String> {
    let n = rungs.len();
    let mut filter = format!("[0:v]split={n}");
    for i in 0..n {
        filter.push_str(&format!("[v{i}]"));
    }
    for (i, rung) in rungs.iter().enumerate() {
        // -2 keeps the aspect ratio with an even width.
        filter.push_str(&format!(";[v{i}]scale=-2:{}[v{i}out]", rung.height));
    }
    let mut args = input_args(input);
    args.extend(["-filter_complex".into(), filter]);
    for (i, rung) in rungs.iter().enumerate() {
        args.extend(["-map".into(), format!("[v{i}out]")]);
        args.extend([format!("-c:v:{i}"), "libx264".into()]);
        args.extend([format!("-b:v:{i}"), format!("{}k", rung.video_kbps)]);
        args.extend([
            format!("-maxrate:v:{i}"),
            format!("{}k", rung.video_kbps * 107 / 100),
        ]);
        args.extend([
            format!("-bufsize:v:{i}"),
            format!("{}k", rung.video_kbps * 3 / 2),
        ]);
        if has_audio {
            args.extend(["-map".into(), "0:a:0".into()]);
            args.extend([
                format!("-c:a:{i}"),
                "aac".into(),
                format!("-b:a:{i}"),
                format!("{}k", rung.audio_kbps),
            ]);
        }
    }
    args.extend(
        [
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            "-sc_threshold",
            "0",
            "-ac",
            "2",
        ]
        .map(String::from),
    );
    args.extend([
        "-force_key_frames".into(),
        format!("expr:gte(t,n_forced*{SEGMENT_SECONDS})"),
    ]);
    let stream_map = rungs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if has_audio {
                format!("v:{i},a:{i},name:{}p", r.height)
            } else {
                format!("v:{i},name:{}p", r.height)
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    args.extend(hls_args(out, &stream_map));
    args
}

/// The ffmpeg arguments turning audio into one HLS AAC rendition under `out/audio`.
pub fn audio_args(input: &Path, out: &Path) -> Vec<String> {
    let mut args = input_args(input);
    args.extend(
        [
            "-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", "128k", "-ac", "2",
        ]
        .map(String::from),
    );
    args.extend(hls_args(out, "a:0,name:audio"));
    args
}

fn hls_args(out: &Path, stream_map: &str) -> Vec<String> {
    vec![
        "-f".into(),
        "hls".into(),
        "-hls_time".into(),
        SEGMENT_SECONDS.to_string(),
        "-hls_playlist_type".into(),
        "vod".into(),
        "-hls_segment_filename".into(),
        out.join("%v/segment_%04d.ts").display().to_string(),
        "-master_pl_name".into(),
        "master.m3u8".into(),
        "-var_stream_map".into(),
        stream_map.into(),
        out.join("%v/index.m3u8").display().to_string(),
    ]
}

/// A JPEG at 10 % of the duration, 640 pixels wide at most.
pub fn thumbnail_args(input: &Path, output: &Path, duration_seconds: f64) -> Vec<String> {
    let at = format!("{:.3}", duration_seconds * 0.1);
    let mut args: Vec<String> = vec!["-ss".into(), at];
    args.extend(input_args(input));
    args.extend(
        [
            "-frames:v",
            "1",
            "-vf",
            "scale='min(640,iw)':-2",
            "-q:v",
            "3",
        ]
        .map(String::from),
    );
    args.push(output.display().to_string());
    args
}

/// Runs ffmpeg for at most `limit` (then it is killed); the error is the tail of what
/// ffmpeg said.
pub async fn ffmpeg(args: &[String], limit: Duration) -> Result<(), String> {
    let run = tool::command("ffmpeg").args(args).output();
    let output = tokio::time::timeout(limit, run)
        .await
        .map_err(|_| {
            format!(
                "ffmpeg took longer than {} s and was stopped",
                limit.as_secs()
            )
        })?
        .map_err(|e| format!("cannot run ffmpeg: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ffmpeg failed: {}",
            last_lines(&String::from_utf8_lossy(&output.stderr), 3)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heights(rungs: &[Rung]) -> Vec<u32> {
        rungs.iter().map(|r| r.height).collect()
    }

    #[test]
    fn the_ladder_never_upscales() {
        assert_eq!(heights(&ladder(2160)), [1080, 720, 480, 360]);
        assert_eq!(heights(&ladder(1080)), [1080, 720, 480, 360]);
        assert_eq!(heights(&ladder(720)), [720, 480, 360]);
        assert_eq!(heights(&ladder(500)), [480, 360]);
        assert_eq!(heights(&ladder(360)), [360]);
        assert_eq!(heights(&ladder(241)), [240]);
    }

    #[test]
    fn video_arguments_map_every_rung() {
        let args =
            video_args(Path::new("/in.mp4"), Path::new("/out"), &ladder(720), true).join(" ");
        assert!(args.contains("split=3[v0][v1][v2]"), "{args}");
        assert!(args.contains("[v1]scale=-2:480[v1out]"));
        assert!(args.contains("v:0,a:0,name:720p v:1,a:1,name:480p v:2,a:2,name:360p"));
        assert!(args.contains("-hls_time 6"));
        assert!(args.contains("/out/%v/segment_%04d.ts"));
        let silent =
            video_args(Path::new("/in.mp4"), Path::new("/out"), &ladder(360), false).join(" ");
        assert!(!silent.contains("0:a:0") && silent.contains("v:0,name:360p"));
    }

    #[test]
    fn thumbnail_is_cut_at_a_tenth() {
        let args = thumbnail_args(Path::new("/in.mp4"), Path::new("/t.jpg"), 50.0).join(" ");
        assert!(args.contains("-ss 5.000"), "{args}");
        assert!(
            args.contains("-protocol_whitelist file -format_whitelist"),
            "{args}"
        );
    }
}
