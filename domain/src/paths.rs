//! Every internal URL, built in one place, so pages, emails, redirects and the player agree.

use uuid::Uuid;

pub const HOME: &str = "/";
pub const LIBRARY: &str = "/library";
pub const PRICING: &str = "/pricing";
pub const ADMIN: &str = "/admin";
pub const ADMIN_CONTENT: &str = "/admin/content";
pub const ADMIN_ANALYTICS: &str = "/admin/analytics";
/// Where the player posts its viewing reports (`navigator.sendBeacon`).
pub const VIEWING_BEACON: &str = "/analytics/viewing";
/// The analytics tables as CSV: `?table=days|items|retention|sources` and the period.
pub const ANALYTICS_CSV: &str = "/admin/analytics/export.csv";
pub const LOGIN: &str = "/login";
pub const FORGOT_PASSWORD: &str = "/forgot-password";
/// Where "Send reset link" lands, whether or not the address has an account.
pub const FORGOT_PASSWORD_SENT: &str = "/forgot-password?sent=1";
pub const LOGIN_AFTER_RESET: &str = "/login?reset=1";

/// An item's page.
pub fn content(slug: &str) -> String {
    format!("/content/{slug}")
}

/// The player of an item.
pub fn watch(slug: &str) -> String {
    format!("/watch/{slug}")
}

/// An item's audience figures.
pub fn admin_analytics_item(id: Uuid) -> String {
    format!("/admin/analytics/{id}")
}

/// The owner's editor of an item.
pub fn admin_content(id: Uuid) -> String {
    format!("/admin/content/{id}")
}

/// The master playlist of a media item, with its signed playback token.
pub fn hls_master(media_id: Uuid, token: &str) -> String {
    format!("/media/{media_id}/hls/master.m3u8?t={token}")
}

/// An item's captions in `language` (WebVTT), with the viewer's playback token.
pub fn captions(content_id: Uuid, language: &str, token: &str) -> String {
    format!("/content/{content_id}/captions/{language}.vtt?t={token}")
}

/// Where the editor's captions form posts.
pub fn admin_captions(content_id: Uuid) -> String {
    format!("/admin/content/{content_id}/captions")
}

/// A download link on the item page: checks the visitor, then sends them to a signed link.
pub fn download(content_id: Uuid, download_id: Uuid) -> String {
    format!("/content/{content_id}/downloads/{download_id}")
}

/// The signed, short-lived link of a download.
pub fn download_file(download_id: Uuid, token: &str) -> String {
    format!("/downloads/{download_id}?t={token}")
}

/// Where the editor's downloads form posts.
pub fn admin_downloads(content_id: Uuid) -> String {
    format!("/admin/content/{content_id}/downloads")
}

/// The login page, coming back to `path` (a path on this site) afterwards.
pub fn login_then(path: &str) -> String {
    format!("/login?redirect={}", encode_component(path))
}

/// An item's page with a query: `pairs` with an empty value are left out.
pub fn content_with(slug: &str, pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", encode_component(value)))
        .collect();
    if query.is_empty() {
        content(slug)
    } else {
        format!("{}?{}", content(slug), query.join("&"))
    }
}

/// The durable link in a receipt email: opens the purchase's library entry.
pub fn receipt_link(purchase_id: Uuid) -> String {
    format!("/receipt/{purchase_id}")
}

/// A purchase's receipt page.
pub fn purchase_receipt(purchase_id: Uuid) -> String {
    format!("/account/purchases/{purchase_id}")
}

/// The library with one item's entry opened.
pub fn library_entry(slug: &str) -> String {
    format!("{LIBRARY}?open={}", encode_component(slug))
}

/// The email verification link.
pub fn verify_email(token: &str) -> String {
    format!("/verify-email?token={token}")
}

/// The password reset link.
pub fn reset_password(token: &str) -> String {
    format!("/reset-password?token={token}")
}

/// The marketing email preferences page, opened from an email's signed link.
pub const EMAIL_PREFERENCES: &str = "/email/preferences";

/// A customer's private podcast feed (RSS); `token` names the feed and proves it.
pub fn podcast_feed(token: &str) -> String {
    format!("/feeds/{token}")
}

/// An episode's audio in a private feed, checked against the feed and the access.
pub fn podcast_episode(token: &str, content: Uuid) -> String {
    format!("/feeds/{token}/{content}.m4a")
}
/// Where a mail client posts one-click unsubscribes (RFC 8058).
pub const EMAIL_UNSUBSCRIBE: &str = "/email/unsubscribe";
pub const ADMIN_BROADCASTS: &str = "/admin/emails/broadcasts";

/// One broadcast's page.
pub fn admin_broadcast(id: Uuid) -> String {
    format!("{ADMIN_BROADCASTS}/{id}")
}

/// The preferences page for the person of `token`.
pub fn email_preferences(token: &str) -> String {
    format!("{EMAIL_PREFERENCES}?token={token}")
}

/// The preferences page as linked from one marketing email (an unsubscribe there counts
/// against that email).
pub fn email_preferences_from(token: &str, email: Uuid) -> String {
    format!("{}&email={}", email_preferences(token), email.simple())
}

/// The one-click unsubscribe link of one marketing email to the person of `token`.
pub fn email_unsubscribe(token: &str, email: Uuid) -> String {
    format!("{EMAIL_UNSUBSCRIBE}?token={token}&email={}", email.simple())
}

/// Encodes a query value as `application/x-www-form-urlencoded` does (the `url` crate's
/// `form_urlencoded::byte_serialize`): letters, digits and `*-._` stay, a space is `+`.
fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_redirect_keeps_the_path_and_query() {
        assert_eq!(
            login_then("/content/a?x=1&y=2"),
            "/login?redirect=%2Fcontent%2Fa%3Fx%3D1%26y%3D2"
        );
        assert_eq!(login_then("/a b~*"), "/login?redirect=%2Fa+b%7E*");
    }

    #[test]
    fn item_page_query_leaves_empty_values_out() {
        assert_eq!(
            content_with(
                "a",
                &[
                    ("checkout", "code_invalid"),
                    ("code", "X&Y"),
                    ("your_price", "")
                ]
            ),
            "/content/a?checkout=code_invalid&code=X%26Y"
        );
        assert_eq!(content_with("a", &[("code", "")]), "/content/a");
    }
}
