//! ffmpeg commands: video to an HLS ladder, audio to loudness-normalised HLS AAC rungs and
//! its waveform, and the thumbnail.

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

/// The master playlist of a ladder encoded in two runs: `higher`'s header and variants,
/// then `lowest`'s variants (ffmpeg lists the highest first; so does this).
pub fn merge_masters(higher: &str, lowest: &str) -> String {
    let variants = |master: &str| {
        let mut lines = master.lines();
        let mut found = Vec::new();
        while let Some(line) = lines.next() {
            if line.starts_with("#EXT-X-STREAM-INF") {
                if let Some(uri) = lines.find(|l| !l.trim().is_empty()) {
                    found.push(format!("{line}\n{uri}\n"));
                }
            }
        }
        found
    };
    let mut merged: String = higher
        .lines()
        .take_while(|l| !l.starts_with("#EXT-X-STREAM-INF"))
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    for variant in variants(higher).into_iter().chain(variants(lowest)) {
        merged.push_str(&variant);
    }
    merged
}

/// Integrated loudness audio is normalised to (EBU R 128 for streaming: -16 LUFS).
pub const AUDIO_TARGET_LUFS: f64 = -16.0;
const AUDIO_TRUE_PEAK: f64 = -1.5;
const AUDIO_LRA: f64 = 11.0;
/// The audio rungs: kbit/s of AAC, highest first.
pub const AUDIO_RUNGS: [u32; 2] = [128, 64];
/// Samples per second of the mono signal the waveform is drawn from.
pub const PEAK_SAMPLE_RATE: u32 = 100;
/// Bars in a waveform.
pub const WAVEFORM_BARS: usize = 1000;

/// The first pass over audio: loudnorm measures it (its JSON on stderr, hence `-v info`)
/// while the same decode writes the mono envelope at [`PEAK_SAMPLE_RATE`] for the waveform.
pub fn audio_measure_args(input: &Path, peaks_raw: &Path) -> Vec<String> {
    let mut args = input_args(input);
    args[2] = "info".into();
    args.extend([
        "-nostats".into(),
        "-map".into(),
        "0:a:0".into(),
        "-af".into(),
    ]);
    args.push(format!(
        "loudnorm=I={AUDIO_TARGET_LUFS}:TP={AUDIO_TRUE_PEAK}:LRA={AUDIO_LRA}:print_format=json"
    ));
    args.extend(["-f".into(), "null".into(), "-".into()]);
    // The envelope (|x| of the mono mix) resampled: each sample is the stretch's mean level.
    args.extend(["-map".into(), "0:a:0".into(), "-af".into()]);
    args.push(format!(
        "aformat=channel_layouts=mono,aeval=abs(val(0)),aresample={PEAK_SAMPLE_RATE}"
    ));
    args.extend(["-f".into(), "s16le".into()]);
    args.push(peaks_raw.display().to_string());
    args
}

/// What loudnorm's first pass measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Loudness {
    input_i: f64,
    input_tp: f64,
    input_lra: f64,
    input_thresh: f64,
    target_offset: f64,
}

/// Reads loudnorm's JSON from ffmpeg's stderr; `None` for silence (its loudness is -inf)
/// or anything unreadable.
pub fn parse_loudness(stderr: &str) -> Option<Loudness> {
    let start = stderr.rfind('{')?;
    let end = start + stderr[start..].find('}')? + 1;
    let json: serde_json::Value = serde_json::from_str(&stderr[start..end]).ok()?;
    let number = |field: &str| -> Option<f64> {
        json.get(field)?
            .as_str()?
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
    };
    Some(Loudness {
        input_i: number("input_i")?,
        input_tp: number("input_tp")?,
        input_lra: number("input_lra")?,
        input_thresh: number("input_thresh")?,
        target_offset: number("target_offset")?,
    })
}

/// The ffmpeg arguments turning audio into HLS AAC rungs under `out/<kbps>k`, normalised to
/// [`AUDIO_TARGET_LUFS`]: with the first pass's figures, a linear gain (the sound is not
/// compressed); without them, loudnorm's one-pass mode.
pub fn audio_args(input: &Path, out: &Path, measured: Option<&Loudness>) -> Vec<String> {
    let mut loudnorm =
        format!("loudnorm=I={AUDIO_TARGET_LUFS}:TP={AUDIO_TRUE_PEAK}:LRA={AUDIO_LRA}");
    if let Some(m) = measured {
        loudnorm.push_str(&format!(
            ":measured_I={:.2}:measured_TP={:.2}:measured_LRA={:.2}:measured_thresh={:.2}:offset={:.2}:linear=true",
            m.input_i, m.input_tp, m.input_lra, m.input_thresh, m.target_offset
        ));
    }
    let n = AUDIO_RUNGS.len();
    let mut filter = format!("[0:a:0]{loudnorm},aresample=48000,asplit={n}");
    for i in 0..n {
        filter.push_str(&format!("[a{i}]"));
    }
    let mut args = input_args(input);
    args.extend(["-filter_complex".into(), filter, "-vn".into()]);
    for (i, kbps) in AUDIO_RUNGS.iter().enumerate() {
        args.extend(["-map".into(), format!("[a{i}]")]);
        args.extend([format!("-c:a:{i}"), "aac".into()]);
        args.extend([format!("-b:a:{i}"), format!("{kbps}k")]);
    }
    args.extend(["-ac".into(), "2".into()]);
    let stream_map = AUDIO_RUNGS
        .iter()
        .enumerate()
        .map(|(i, kbps)| format!("a:{i},name:{kbps}k"))
        .collect::<Vec<_>>()
        .join(" ");
    args.extend(hls_args(out, &stream_map));
    args
}

/// The waveform: the highest level of each of (at most) `bars` equal stretches of the
/// envelope (16-bit little-endian mono), scaled so the loudest bar is 1, in hundredths.
pub fn waveform(raw: &[u8], bars: usize) -> Vec<f32> {
    let samples: Vec<i32> = raw
        .chunks_exact(2)
        .map(|pair| i32::from(i16::from_le_bytes([pair[0], pair[1]])).abs())
        .collect();
    if samples.is_empty() || bars == 0 {
        return Vec::new();
    }
    let per_bar = samples.len().div_ceil(bars);
    let peaks: Vec<i32> = samples
        .chunks(per_bar)
        .map(|chunk| *chunk.iter().max().unwrap_or(&0))
        .collect();
    let loudest = peaks.iter().copied().max().unwrap_or(0).max(1) as f32;
    peaks
        .iter()
        .map(|&peak| (peak as f32 / loudest * 100.0).round() / 100.0)
        .collect()
}

/// An audio item's progressive rendition for podcast apps: its top rung's AAC, copied out
/// of the HLS segments into an M4A whose index comes first (so a player can start from any
/// byte range).
pub fn podcast_args(hls: &Path, out: &Path) -> Vec<String> {
    let top = hls.join(format!("{}k", AUDIO_RUNGS[0])).join("index.m3u8");
    vec![
        "-y".into(),
        "-v".into(),
        "error".into(),
        "-i".into(),
        top.display().to_string(),
        "-map".into(),
        "0:a:0".into(),
        "-c".into(),
        "copy".into(),
        "-bsf:a".into(),
        "aac_adtstoasc".into(),
        "-movflags".into(),
        "+faststart".into(),
        out.display().to_string(),
    ]
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

/// Thumbnail widths: the large one (item page, poster, link previews) and the one for
/// grids; never wider than the video.
pub const THUMBNAIL_WIDTHS: (u32, u32) = (1280, 480);

/// Two JPEGs of the frame at 10 % of the duration, from one decode: `large` at most
/// 1280 pixels wide, `small` at most 480.
pub fn thumbnail_args(
    input: &Path,
    large: &Path,
    small: &Path,
    duration_seconds: f64,
) -> Vec<String> {
    let (wide, narrow) = THUMBNAIL_WIDTHS;
    let at = format!("{:.3}", duration_seconds * 0.1);
    let mut args: Vec<String> = vec!["-ss".into(), at];
    args.extend(input_args(input));
    args.extend([
        "-filter_complex".into(),
        format!(
            "[0:v]split=2[l][s];[l]scale='min({wide},iw)':-2[large];[s]scale='min({narrow},iw)':-2[small]"
        ),
    ]);
    for (label, output) in [("[large]", large), ("[small]", small)] {
        args.extend(["-map", label, "-frames:v", "1", "-q:v", "3"].map(String::from));
        args.push(output.display().to_string());
    }
    args
}

/// Scrubbing previews: a frame every [`storyboard_interval`] seconds, as 160×90 tiles on
/// sheets of 10×10 (`storyboard_001.jpg`, ...), mapped by `storyboard.vtt`.
pub const STORYBOARD_TILE: (u32, u32) = (160, 90);
const STORYBOARD_COLUMNS: u32 = 10;
const STORYBOARD_ROWS: u32 = 10;
/// At most this many frames, however long the video (two sheets).
const STORYBOARD_FRAMES: f64 = 200.0;

/// Seconds between two preview frames: 2, or more for a long video.
pub fn storyboard_interval(duration_seconds: f64) -> u32 {
    (duration_seconds.clamp(0.0, MAX_DURATION_SECONDS) / STORYBOARD_FRAMES)
        .ceil()
        .max(2.0) as u32
}

pub fn storyboard_args(input: &Path, out: &Path, interval: u32) -> Vec<String> {
    let (w, h) = STORYBOARD_TILE;
    let mut args = input_args(input);
    args.extend(["-an".into(), "-vf".into()]);
    args.push(format!(
        "fps=1/{interval},scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,tile={STORYBOARD_COLUMNS}x{STORYBOARD_ROWS}"
    ));
    args.extend(["-q:v".into(), "5".into()]);
    args.push(out.join("storyboard_%03d.jpg").display().to_string());
    args
}

/// The WebVTT map of the storyboard: each stretch of `interval` seconds to its tile.
pub fn storyboard_vtt(duration_seconds: f64, interval: u32) -> String {
    let (w, h) = STORYBOARD_TILE;
    let per_sheet = STORYBOARD_COLUMNS * STORYBOARD_ROWS;
    let frames = (duration_seconds / f64::from(interval)).ceil().max(1.0) as u32;
    let stamp = |seconds: f64| {
        let ms = (seconds * 1000.0).round() as u64;
        format!(
            "{:02}:{:02}:{:02}.{:03}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    };
    let mut vtt = String::from("WEBVTT\n");
    for frame in 0..frames {
        let start = f64::from(frame * interval);
        let end = (start + f64::from(interval)).min(duration_seconds.max(start + 0.001));
        let (sheet, tile) = (frame / per_sheet + 1, frame % per_sheet);
        let (x, y) = (tile % STORYBOARD_COLUMNS * w, tile / STORYBOARD_COLUMNS * h);
        vtt.push_str(&format!(
            "\n{} --> {}\nstoryboard_{sheet:03}.jpg#xywh={x},{y},{w},{h}\n",
            stamp(start),
            stamp(end)
        ));
    }
    vtt
}

/// Runs ffmpeg for at most `limit` (then it is killed); the error is the tail of what
/// ffmpeg said.
pub async fn ffmpeg(args: &[String], limit: Duration) -> Result<(), String> {
    ffmpeg_stderr(args, limit).await.map(drop)
}

/// [`ffmpeg`], with what it wrote on stderr.
pub async fn ffmpeg_stderr(args: &[String], limit: Duration) -> Result<String, String> {
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
        Ok(String::from_utf8_lossy(&output.stderr).into_owned())
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
    fn masters_of_two_runs_merge_highest_first() {
        let higher = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=2928000,RESOLUTION=1280x720,CODECS=\"avc1.64001f,mp4a.40.2\"\n720p/index.m3u8\n\n#EXT-X-STREAM-INF:BANDWIDTH=1496000,RESOLUTION=854x480\n480p/index.m3u8\n\n";
        let lowest = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=896000,RESOLUTION=640x360\n360p/index.m3u8\n\n";
        assert_eq!(
            merge_masters(higher, lowest),
            "#EXTM3U\n#EXT-X-VERSION:3\n\
             #EXT-X-STREAM-INF:BANDWIDTH=2928000,RESOLUTION=1280x720,CODECS=\"avc1.64001f,mp4a.40.2\"\n720p/index.m3u8\n\
             #EXT-X-STREAM-INF:BANDWIDTH=1496000,RESOLUTION=854x480\n480p/index.m3u8\n\
             #EXT-X-STREAM-INF:BANDWIDTH=896000,RESOLUTION=640x360\n360p/index.m3u8\n"
        );
    }

    #[test]
    fn audio_is_normalised_into_two_rungs() {
        let measured = parse_loudness(
            "[Parsed_loudnorm_0 @ 0x1]\n{\n\t\"input_i\" : \"-27.61\",\n\t\"input_tp\" : \"-4.47\",\n\t\"input_lra\" : \"18.06\",\n\t\"input_thresh\" : \"-39.20\",\n\t\"output_i\" : \"-16.58\",\n\t\"normalization_type\" : \"dynamic\",\n\t\"target_offset\" : \"0.58\"\n}\n",
        )
        .unwrap();
        let args = audio_args(Path::new("/in.mp3"), Path::new("/out"), Some(&measured)).join(" ");
        assert!(args.contains("loudnorm=I=-16:TP=-1.5:LRA=11:measured_I=-27.61:measured_TP=-4.47:measured_LRA=18.06:measured_thresh=-39.20:offset=0.58:linear=true"), "{args}");
        assert!(args.contains("asplit=2[a0][a1]"), "{args}");
        assert!(
            args.contains("-b:a:0 128k") && args.contains("-b:a:1 64k"),
            "{args}"
        );
        assert!(args.contains("a:0,name:128k a:1,name:64k"), "{args}");
        let one_pass = audio_args(Path::new("/in.mp3"), Path::new("/out"), None).join(" ");
        assert!(
            one_pass.contains("loudnorm=I=-16:TP=-1.5:LRA=11,aresample"),
            "{one_pass}"
        );
        // Silence measures -inf: no linear gain from it.
        assert_eq!(parse_loudness("{ \"input_i\" : \"-inf\", \"input_tp\" : \"-inf\", \"input_lra\" : \"0.00\", \"input_thresh\" : \"-70.00\", \"target_offset\" : \"inf\" }"), None);
        assert_eq!(parse_loudness("no json here"), None);
        let measure = audio_measure_args(Path::new("/in.mp3"), Path::new("/peaks.raw")).join(" ");
        assert!(measure.starts_with("-y -v info"), "{measure}");
        assert!(measure.contains("print_format=json -f null - -map 0:a:0 -af aformat=channel_layouts=mono,aeval=abs(val(0)),aresample=100 -f s16le /peaks.raw"), "{measure}");
    }

    #[test]
    fn the_waveform_keeps_each_stretchs_peak() {
        let samples: Vec<i16> = vec![0, 16384, -32768, 100, 0, 0, 8192, -8192];
        let raw: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        assert_eq!(waveform(&raw, 4), vec![0.5, 1.0, 0.0, 0.25]);
        let quiet: Vec<u8> = [0i16, 100, 50, 25]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        assert_eq!(waveform(&quiet, 4), vec![0.0, 1.0, 0.5, 0.25]);
        assert_eq!(waveform(&raw, 100).len(), 8);
        assert!(waveform(&[], 10).is_empty());
    }

    #[test]
    fn the_storyboard_maps_each_stretch_to_its_tile() {
        assert_eq!(storyboard_interval(4.0), 2);
        assert_eq!(storyboard_interval(3600.0), 18);
        let vtt = storyboard_vtt(5.0, 2);
        assert_eq!(
            vtt,
            "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nstoryboard_001.jpg#xywh=0,0,160,90\n\
             \n00:00:02.000 --> 00:00:04.000\nstoryboard_001.jpg#xywh=160,0,160,90\n\
             \n00:00:04.000 --> 00:00:05.000\nstoryboard_001.jpg#xywh=320,0,160,90\n"
        );
        // Frame 111 of a long video: second sheet, second row, second column.
        let long = storyboard_vtt(3600.0, 18);
        assert!(
            long.contains("00:33:18.000 --> 00:33:36.000\nstoryboard_002.jpg#xywh=160,90,160,90"),
            "{long}"
        );
        let args = storyboard_args(Path::new("/in.mp4"), Path::new("/out"), 2).join(" ");
        assert!(
            args.contains("fps=1/2,scale=160:90") && args.contains("tile=10x10"),
            "{args}"
        );
        assert!(args.ends_with("/out/storyboard_%03d.jpg"), "{args}");
    }

    #[test]
    fn thumbnail_is_cut_at_a_tenth() {
        let args = thumbnail_args(
            Path::new("/in.mp4"),
            Path::new("/t.jpg"),
            Path::new("/s.jpg"),
            50.0,
        )
        .join(" ");
        assert!(args.contains("-ss 5.000"), "{args}");
        assert!(args.contains("scale='min(1280,iw)':-2[large]"), "{args}");
        assert!(
            args.contains(
                "-map [large] -frames:v 1 -q:v 3 /t.jpg -map [small] -frames:v 1 -q:v 3 /s.jpg"
            ),
            "{args}"
        );
        assert!(
            args.contains("-protocol_whitelist file -format_whitelist"),
            "{args}"
        );
    }
}
