//! Short-lived, path-scoped playback tokens. Every playlist and segment URL of a media item
//! carries one: `?t=<user>.<expires>.<signature>`, the signature an HMAC-SHA256 over the
//! media id, the user and the expiry. A copied link stops working when it expires, and a
//! token for one media item opens no other.
//!
//! Download links of an item's files for buyers are signed the same way, under their own
//! scope (`download:`), so neither kind of token opens the other.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::keys::{hmac_sha256, tag_matches};

#[derive(Clone, Copy)]
enum Scope {
    Playback,
    Download,
}

fn signature(secret: &[u8], scope: Scope, id: Uuid, user: Uuid, expires: i64) -> [u8; 32] {
    let scope = match scope {
        Scope::Playback => "playback",
        Scope::Download => "download",
    };
    hmac_sha256(
        secret,
        &[format!("{scope}:{id}:{user}:{expires}").as_bytes()],
    )
}

pub fn issue(secret: &[u8], media: Uuid, user: Uuid, lifetime: Duration) -> String {
    issue_scoped(secret, Scope::Playback, media, user, lifetime)
}

/// The user a valid, unexpired token for `media` was issued to.
pub fn verify(secret: &[u8], media: Uuid, token: &str) -> Option<Uuid> {
    verify_scoped(secret, Scope::Playback, media, token)
}

/// A token for downloading the file `download` (an item's file for buyers).
pub fn issue_download(secret: &[u8], download: Uuid, user: Uuid, lifetime: Duration) -> String {
    issue_scoped(secret, Scope::Download, download, user, lifetime)
}

/// The user a valid, unexpired download token for `download` was issued to.
pub fn verify_download(secret: &[u8], download: Uuid, token: &str) -> Option<Uuid> {
    verify_scoped(secret, Scope::Download, download, token)
}

fn issue_scoped(secret: &[u8], scope: Scope, id: Uuid, user: Uuid, lifetime: Duration) -> String {
    let expires = (OffsetDateTime::now_utc() + lifetime).unix_timestamp();
    let tag = signature(secret, scope, id, user, expires);
    format!(
        "{}.{expires}.{}",
        user.simple(),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

fn verify_scoped(secret: &[u8], scope: Scope, id: Uuid, token: &str) -> Option<Uuid> {
    let mut parts = token.split('.');
    let (user, expires, tag) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let user = Uuid::try_parse(user).ok()?;
    let expires: i64 = expires.parse().ok()?;
    if expires < OffsetDateTime::now_utc().unix_timestamp() {
        return None;
    }
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    tag_matches(&tag, &signature(secret, scope, id, user, expires)).then_some(user)
}

/// Adds the token to every URI line of an HLS playlist.
pub fn sign_playlist(playlist: &str, token: &str) -> String {
    sign_playlist_with(playlist, token, |_| None)
}

/// [`sign_playlist`], but a URI that `elsewhere` gives a URL for (a segment signed by the
/// object store) is replaced by that URL instead.
pub fn sign_playlist_with(
    playlist: &str,
    token: &str,
    elsewhere: impl Fn(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(playlist.len() + 64);
    for line in playlist.lines() {
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            match elsewhere(trimmed) {
                Some(url) => out.push_str(&url),
                None => {
                    out.push_str(trimmed);
                    out.push_str(if trimmed.contains('?') { "&t=" } else { "?t=" });
                    out.push_str(token);
                }
            }
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-secret";

    #[test]
    fn tokens_are_scoped_to_their_media_and_expire() {
        let (media, user) = (Uuid::new_v4(), Uuid::new_v4());
        let token = issue(SECRET, media, user, Duration::minutes(5));
        assert_eq!(verify(SECRET, media, &token), Some(user));
        assert_eq!(
            verify(SECRET, Uuid::new_v4(), &token),
            None,
            "another media item"
        );
        assert_eq!(verify(b"other-secret", media, &token), None);
        let expired = issue(SECRET, media, user, Duration::seconds(-1));
        assert_eq!(verify(SECRET, media, &expired), None);
        // Tampering with the user or the expiry breaks the signature.
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{}.{}", Uuid::new_v4().simple(), parts[1], parts[2]);
        assert_eq!(verify(SECRET, media, &forged), None);
        let extended = format!(
            "{}.{}.{}",
            parts[0],
            parts[1].parse::<i64>().unwrap() + 3600,
            parts[2]
        );
        assert_eq!(verify(SECRET, media, &extended), None);
        for garbage in ["", "a.b.c", "..", "x.1.y.z"] {
            assert_eq!(verify(SECRET, media, garbage), None);
        }
    }

    #[test]
    fn download_and_playback_tokens_open_only_their_own_kind() {
        let (id, user) = (Uuid::new_v4(), Uuid::new_v4());
        let download = issue_download(SECRET, id, user, Duration::minutes(5));
        assert_eq!(verify_download(SECRET, id, &download), Some(user));
        assert_eq!(verify(SECRET, id, &download), None);
        let playback = issue(SECRET, id, user, Duration::minutes(5));
        assert_eq!(verify_download(SECRET, id, &playback), None);
    }

    #[test]
    fn playlists_get_the_token_on_every_uri() {
        let playlist = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720p/index.m3u8\n#EXTINF:6.0,\nsegment_0000.ts\n";
        let signed = sign_playlist(playlist, "TOKEN");
        assert!(signed.contains("720p/index.m3u8?t=TOKEN\n"));
        assert!(signed.contains("segment_0000.ts?t=TOKEN\n"));
        assert!(signed.contains("#EXT-X-STREAM-INF:BANDWIDTH=1\n"));
    }
}
