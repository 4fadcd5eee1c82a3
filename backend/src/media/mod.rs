//! Media: uploads, the processing jobs that turn them into HLS, the frame thumbnail, the
//! signed playback tokens and the storage everything lives in.

pub mod frame_thumbnail;
pub mod hls;
pub mod jobs;
pub mod manage;
pub mod playback_token;
pub mod probe;
pub mod processing;
pub mod tool;
pub mod transcode;
pub mod upload;
