//! Media: uploads of video and audio, the processing jobs that turn them into HLS, and the
//! storage they live in.

pub mod api;
pub mod page;
pub mod types;
pub mod upload_form;

#[cfg(feature = "ssr")]
pub mod hls;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod playback_token;
#[cfg(feature = "ssr")]
pub mod probe;
#[cfg(feature = "ssr")]
pub mod processing;
#[cfg(feature = "ssr")]
pub mod storage;
#[cfg(feature = "ssr")]
pub mod thumbnail;
#[cfg(feature = "ssr")]
pub mod transcode;
#[cfg(feature = "ssr")]
pub mod upload;
