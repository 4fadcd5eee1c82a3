//! Where media files live: the local filesystem by default, any S3-compatible store by
//! configuration, behind one small interface; and how players reach segments
//! ([`SegmentDelivery`]). Part of the ground floor: it names no feature.

use std::io::SeekFrom;
use std::ops::Range;
use std::path::Path as FsPath;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::signer::Signer;
use object_store::{GetResultPayload, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio_util::io::ReaderStream;

use axum::response::IntoResponse;

use crate::error::{internal, Answer, Error};

/// Where players fetch segments from (`MEDIA_DELIVERY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentDelivery {
    /// Through Codex, under the playback token (`proxied`, the default).
    Proxied,
    /// Straight from the object store, through URLs it signs (`signed-urls`; S3 only).
    SignedUrls,
}

/// Files larger than this are written in parts, so they never sit in memory whole.
const PART_SIZE: usize = 8 * 1024 * 1024;

/// A range of a local file up to this size is read in one blocking call (an HLS segment is
/// a few MB); a longer one (a download) is streamed in blocks of [`LOCAL_READ_BLOCK`].
/// object_store's own stream takes one blocking task per 8 KiB. The size bounds the memory
/// of reads in flight: at `MAX_CONCURRENT_REQUESTS` (512) segments, 2 GiB.
const LOCAL_READ_WHOLE: u64 = 4 * 1024 * 1024;
const LOCAL_READ_BLOCK: usize = 512 * 1024;

/// The bytes `range` of a local file the store opened.
async fn local_file_body(
    mut file: std::fs::File,
    range: Range<u64>,
) -> Result<axum::body::Body, Error> {
    use std::io::{Read, Seek};
    let length = range.end - range.start;
    if length <= LOCAL_READ_WHOLE {
        let bytes = tokio::task::spawn_blocking(move || {
            let mut bytes = vec![0; length as usize];
            file.seek(SeekFrom::Start(range.start))?;
            file.read_exact(&mut bytes)?;
            Ok::<_, std::io::Error>(bytes)
        })
        .await
        .map_err(|e| internal("reading a file", e))?
        .map_err(|e| internal("reading a file", e))?;
        return Ok(axum::body::Body::from(bytes));
    }
    let body = futures::stream::once(async move {
        let mut file = tokio::fs::File::from_std(file);
        file.set_max_buf_size(LOCAL_READ_BLOCK);
        file.seek(SeekFrom::Start(range.start)).await?;
        Ok::<_, std::io::Error>(ReaderStream::with_capacity(
            file.take(length),
            LOCAL_READ_BLOCK,
        ))
    })
    .try_flatten();
    Ok(axum::body::Body::from_stream(body))
}

/// A failed read: 404 when the object is not there.
fn read_failed(error: object_store::Error) -> Error {
    match error {
        object_store::Error::NotFound { .. } => Error::Answer(Answer::NotFound),
        error => internal("storage read failed", error),
    }
}

#[derive(Clone)]
pub struct MediaStorage {
    store: Arc<dyn ObjectStore>,
    /// The same store, when it can sign URLs that fetch without credentials (S3).
    signer: Option<Arc<dyn Signer>>,
    /// Whether it is a folder on this machine (its reads are files).
    local: bool,
}

impl std::fmt::Debug for MediaStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MediaStorage({})", self.store)
    }
}

impl MediaStorage {
    /// `MEDIA_STORAGE`: a folder (e.g. `data/media`) or `s3://bucket`, with the `AWS_*`
    /// variables (`AWS_ENDPOINT` for R2 or MinIO) from the environment, `settings` (the
    /// configuration's own, as `AWS_ENDPOINT` and its value) over them.
    pub fn from_config(value: &str, settings: &[(String, String)]) -> Result<Self, String> {
        if value.starts_with("s3://") {
            let mut builder = AmazonS3Builder::from_env().with_url(value);
            for (key, setting) in settings {
                let key = key
                    .to_ascii_lowercase()
                    .parse()
                    .map_err(|e| format!("{key}: {e}"))?;
                builder = builder.with_config(key, setting);
            }
            let store = Arc::new(
                builder
                    .build()
                    .map_err(|e| format!("MEDIA_STORAGE {value:?}: {e}"))?,
            );
            return Ok(Self {
                store: store.clone(),
                signer: Some(store),
                local: false,
            });
        }
        Self::local(value)
    }

    pub fn local(folder: impl AsRef<FsPath>) -> Result<Self, String> {
        let folder = folder.as_ref();
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        let store = LocalFileSystem::new_with_prefix(folder)
            .map_err(|e| format!("{}: {e}", folder.display()))?;
        Ok(Self {
            store: Arc::new(store),
            signer: None,
            local: true,
        })
    }

    /// Whether [`MediaStorage::signed_url`] gives URLs (an S3-compatible store does).
    pub fn signs_urls(&self) -> bool {
        self.signer.is_some()
    }

    /// A URL anyone may GET the object at `key` from, for `lifetime`; `None` for a folder.
    pub async fn signed_url(
        &self,
        key: &str,
        lifetime: StdDuration,
    ) -> Result<Option<String>, Error> {
        let Some(signer) = &self.signer else {
            return Ok(None);
        };
        signer
            .signed_url(http::Method::GET, &Path::from(key), lifetime)
            .await
            .map(|url| Some(url.to_string()))
            .map_err(|e| internal("signing a storage URL failed", e))
    }

    pub async fn put_bytes(&self, key: &str, bytes: Bytes) -> Result<(), Error> {
        self.store
            .put(&Path::from(key), PutPayload::from_bytes(bytes))
            .await
            .map(|_| ())
            .map_err(|e| internal("storage write failed", e))
    }

    pub async fn get_bytes(&self, key: &str) -> Result<Option<Bytes>, Error> {
        match self.store.get(&Path::from(key)).await {
            Ok(result) => result
                .bytes()
                .await
                .map(Some)
                .map_err(|e| internal("storage read failed", e)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(internal("storage read failed", e)),
        }
    }

    /// A stored file as a response, streamed from the store (never read whole): 200, or
    /// 206 / 416 for a `Range` request (`range`: the header's value), with its type and cache
    /// policy; 404 when it is not there, 500 (logged) when the store fails.
    pub async fn respond(
        &self,
        key: &str,
        content_type: &str,
        cache_control: &str,
        range: Option<&str>,
    ) -> axum::response::Response {
        match self.stream(key, content_type, cache_control, range).await {
            Ok(response) => response,
            Err(error) => error.into_response(),
        }
    }

    async fn stream(
        &self,
        key: &str,
        content_type: &str,
        cache_control: &str,
        range: Option<&str>,
    ) -> Result<axum::response::Response, Error> {
        use crate::byte_range::{answer, RangeAnswer};
        use axum::body::Body;
        use axum::http::{header, StatusCode};

        let path = Path::from(key);
        // A local file is opened once, and its size comes with it; an object in a bucket is
        // asked for its size first, so that only the range asked for is fetched.
        let (size, local_file) = if self.local {
            let opened = self.store.get(&path).await.map_err(read_failed)?;
            match opened.payload {
                GetResultPayload::File(file, _) => (opened.meta.size, Some(file)),
                GetResultPayload::Stream(_) => (opened.meta.size, None),
            }
        } else {
            (
                self.store.head(&path).await.map_err(read_failed)?.size,
                None,
            )
        };
        let builder = axum::response::Response::builder()
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CACHE_CONTROL, cache_control)
            .header(header::ACCEPT_RANGES, "bytes");
        let (builder, bytes) = match answer(range, size) {
            RangeAnswer::Whole => (builder.status(StatusCode::OK), 0..size),
            RangeAnswer::Part { start, end } => (
                builder
                    .status(StatusCode::PARTIAL_CONTENT)
                    .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}")),
                start..end + 1,
            ),
            RangeAnswer::Unsatisfiable => {
                return builder
                    .status(StatusCode::RANGE_NOT_SATISFIABLE)
                    .header(header::CONTENT_RANGE, format!("bytes */{size}"))
                    .body(Body::empty())
                    .map_err(|e| internal("building a response", e));
            }
        };
        let length = bytes.end - bytes.start;
        let body = match local_file {
            _ if length == 0 => Body::empty(),
            Some(file) => local_file_body(file, bytes).await?,
            None => {
                let options = object_store::GetOptions {
                    range: Some(object_store::GetRange::Bounded(bytes)),
                    ..Default::default()
                };
                let result = self
                    .store
                    .get_opts(&path, options)
                    .await
                    .map_err(read_failed)?;
                Body::from_stream(result.into_stream())
            }
        };
        builder
            .header(header::CONTENT_LENGTH, length)
            .body(body)
            .map_err(|e| internal("building a response", e))
    }

    /// Copies a local file into the store, in parts.
    pub async fn put_file(&self, key: &str, file: &FsPath) -> Result<(), Error> {
        let upload = self
            .store
            .put_multipart(&Path::from(key))
            .await
            .map_err(|e| internal("storage upload failed to start", e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let mut source = tokio::fs::File::open(file)
            .await
            .map_err(|e| internal("cannot open a local file", e))?;
        let mut buffer = vec![0u8; 1024 * 1024];
        loop {
            let n = source
                .read(&mut buffer)
                .await
                .map_err(|e| internal("cannot read a local file", e))?;
            if n == 0 {
                break;
            }
            writer
                .wait_for_capacity(2)
                .await
                .map_err(|e| internal("storage upload failed", e))?;
            writer.write(&buffer[..n]);
        }
        writer
            .finish()
            .await
            .map(|_| ())
            .map_err(|e| internal("storage upload failed", e))
    }

    /// Copies every file under a local folder to `prefix/<relative path>`.
    pub async fn put_folder(&self, prefix: &str, folder: &FsPath) -> Result<usize, Error> {
        let mut count = 0;
        let mut pending = vec![folder.to_path_buf()];
        while let Some(dir) = pending.pop() {
            let mut entries = tokio::fs::read_dir(&dir)
                .await
                .map_err(|e| internal("cannot list a folder", e))?;
            while let Some(entry) = entries
                .next_entry()
                .await
                .map_err(|e| internal("cannot list a folder", e))?
            {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let relative = path
                    .strip_prefix(folder)
                    .map_err(|e| internal("bad path", e))?;
                let key = format!("{prefix}/{}", relative.to_string_lossy());
                self.put_file(&key, &path).await?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// Streams the objects under `prefix`, in key order, into one local file.
    pub async fn download_concatenated(&self, prefix: &str, file: &FsPath) -> Result<u64, Error> {
        let mut out = tokio::fs::File::create(file)
            .await
            .map_err(|e| internal("cannot create a local file", e))?;
        let mut written = 0u64;
        for key in self.list(prefix).await? {
            let result = self
                .store
                .get(&Path::from(key))
                .await
                .map_err(|e| internal("storage read failed", e))?;
            let mut stream = result.into_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| internal("storage read failed", e))?;
                out.write_all(&chunk)
                    .await
                    .map_err(|e| internal("cannot write a local file", e))?;
                written += chunk.len() as u64;
            }
        }
        out.flush()
            .await
            .map_err(|e| internal("cannot write a local file", e))?;
        Ok(written)
    }

    /// The keys and sizes of the objects under `prefix`, in key order.
    pub async fn sizes(&self, prefix: &str) -> Result<Vec<(String, u64)>, Error> {
        let prefix = Path::from(prefix);
        let mut listing = self.store.list(Some(&prefix));
        let mut found = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(|e| internal("storage list failed", e))?;
            found.push((meta.location.to_string(), meta.size));
        }
        found.sort();
        Ok(found)
    }

    pub async fn exists(&self, key: &str) -> Result<bool, Error> {
        match self.store.head(&Path::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(internal("storage head failed", e)),
        }
    }

    /// Deletes the object `key` (none there is no error).
    pub async fn delete(&self, key: &str) -> Result<(), Error> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(internal("storage delete failed", e)),
        }
    }

    /// Deletes every object under `prefix`; how many there were.
    pub async fn delete_prefix(&self, prefix: &str) -> Result<usize, Error> {
        let keys = self.list(prefix).await?;
        for key in &keys {
            self.delete(key).await?;
        }
        Ok(keys.len())
    }

    /// The keys under `prefix`, sorted.
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, Error> {
        Ok(self
            .sizes(prefix)
            .await?
            .into_iter()
            .map(|(key, _)| key)
            .collect())
    }
}

/// Storage keys of one media item.
pub mod keys {
    use uuid::Uuid;

    /// The uploaded file arrives in numbered parts, concatenated by the processing job.
    pub fn parts_prefix(media: Uuid) -> String {
        format!("media/{media}/parts")
    }

    pub fn part(media: Uuid, index: u32) -> String {
        format!("media/{media}/parts/{index:06}")
    }

    pub fn hls_prefix(media: Uuid) -> String {
        format!("media/{media}/hls")
    }

    pub fn master_playlist(media: Uuid) -> String {
        format!("media/{media}/hls/master.m3u8")
    }

    pub fn thumbnail(media: Uuid) -> String {
        format!("media/{media}/thumbnail.jpg")
    }

    /// The thumbnail at grid size (media processed before it existed have none).
    pub fn small_thumbnail(media: Uuid) -> String {
        format!("media/{media}/thumbnail-480.jpg")
    }

    /// An audio item's progressive rendition (AAC in M4A), the podcast feed's enclosure.
    pub fn podcast(media: Uuid) -> String {
        format!("media/{media}/podcast.m4a")
    }

    /// Every object of the item: its parts, HLS, thumbnail.
    pub fn all(media: Uuid) -> String {
        format!("media/{media}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    /// A local file served whole and in ranges: short ranges in one read, long ones streamed
    /// in blocks.
    #[tokio::test]
    async fn local_files_are_served_whole_and_in_ranges() {
        let folder = tempfile::tempdir().unwrap();
        let storage = MediaStorage::local(folder.path()).unwrap();
        let size = LOCAL_READ_WHOLE as u32 + 700_000;
        let file: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        storage
            .put_bytes("m/segment.ts", Bytes::from(file.clone()))
            .await
            .unwrap();
        let body = |response: axum::response::Response| async move {
            axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap()
        };

        let whole = storage
            .respond("m/segment.ts", "video/mp2t", "private", None)
            .await;
        assert_eq!(whole.status(), StatusCode::OK);
        assert_eq!(whole.headers()["content-length"], size.to_string());
        assert_eq!(body(whole).await, file);

        for (start, end) in [(500_000, 1_100_000), (100, size as usize - 2)] {
            let part = storage
                .respond(
                    "m/segment.ts",
                    "video/mp2t",
                    "private",
                    Some(&format!("bytes={start}-{end}")),
                )
                .await;
            assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
            assert_eq!(
                part.headers()["content-range"],
                format!("bytes {start}-{end}/{size}")
            );
            assert_eq!(body(part).await, file[start..=end]);
        }

        let missing = storage
            .respond("m/other.ts", "video/mp2t", "private", None)
            .await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }
}
