//! The text of every account email, as plain text and HTML.

use serde::{Deserialize, Serialize};

/// An email ready to be written to the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    pub kind: EmailKind,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmailKind {
    Welcome,
    VerifyEmail,
    PasswordReset,
    PasswordChanged,
    PurchaseReceipt,
    SaleNotification,
    RefundConfirmation,
}

impl EmailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Welcome => "welcome",
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::PurchaseReceipt => "purchase_receipt",
            Self::SaleNotification => "sale_notification",
            Self::RefundConfirmation => "refund_confirmation",
        }
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One paragraph of text and an optional call-to-action link, in both formats.
struct Message<'a> {
    greeting_name: &'a str,
    paragraphs: &'a [&'a str],
    action: Option<(&'a str, &'a str)>,
    platform: &'a str,
}

impl Message<'_> {
    fn text(&self) -> String {
        let mut out = format!("Hi {},\n\n", self.greeting_name);
        for p in self.paragraphs {
            out.push_str(p);
            out.push_str("\n\n");
        }
        if let Some((label, url)) = self.action {
            out.push_str(&format!("{label}: {url}\n\n"));
        }
        out.push_str(&format!("— {}\n", self.platform));
        out
    }

    fn html(&self) -> String {
        let mut out = format!(
            "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\"><p>Hi {},</p>",
            escape_html(self.greeting_name)
        );
        for p in self.paragraphs {
            out.push_str(&format!("<p>{}</p>", escape_html(p)));
        }
        if let Some((label, url)) = self.action {
            out.push_str(&format!(
                "<p><a href=\"{}\">{}</a></p>",
                escape_html(url),
                escape_html(label)
            ));
        }
        out.push_str(&format!(
            "<p>— {}</p></body></html>",
            escape_html(self.platform)
        ));
        out
    }

    fn into_email(self, kind: EmailKind, to: &str, subject: String) -> OutgoingEmail {
        OutgoingEmail {
            kind,
            to: to.to_string(),
            subject,
            text: self.text(),
            html: self.html(),
        }
    }
}

pub fn welcome(platform: &str, to: &str, name: &str, library_url: &str) -> OutgoingEmail {
    Message {
        greeting_name: name,
        paragraphs: &[
            "Welcome! Your account is ready. Everything you get shows up in your library.",
        ],
        action: Some(("Open your library", library_url)),
        platform,
    }
    .into_email(EmailKind::Welcome, to, format!("Welcome to {platform}"))
}

pub fn verify_email(platform: &str, to: &str, name: &str, link: &str) -> OutgoingEmail {
    Message {
        greeting_name: name,
        paragraphs: &[
            "Please confirm your email address. The link is valid for 24 hours and works once.",
        ],
        action: Some(("Verify your email", link)),
        platform,
    }
    .into_email(
        EmailKind::VerifyEmail,
        to,
        format!("Verify your email for {platform}"),
    )
}

pub fn password_reset(platform: &str, to: &str, name: &str, link: &str) -> OutgoingEmail {
    Message {
        greeting_name: name,
        paragraphs: &[
            "Someone asked to reset the password of your account. The link is valid for 1 hour and works once.",
            "If it was not you, ignore this email: your password stays as it is.",
        ],
        action: Some(("Reset your password", link)),
        platform,
    }
    .into_email(EmailKind::PasswordReset, to, format!("Reset your {platform} password"))
}

pub fn password_changed(platform: &str, to: &str, name: &str, forgot_url: &str) -> OutgoingEmail {
    Message {
        greeting_name: name,
        paragraphs: &[
            "The password of your account was just changed, and every other session was signed out.",
            "If you did not do this, reset your password now.",
        ],
        action: Some(("Reset your password", forgot_url)),
        platform,
    }
    .into_email(EmailKind::PasswordChanged, to, format!("Your {platform} password was changed"))
}

/// What a purchase email says about the purchase.
pub struct PurchaseFacts<'a> {
    pub title: &'a str,
    /// `$12.34`.
    pub amount: &'a str,
    pub payment_id: &'a str,
    pub date: &'a str,
}

pub fn purchase_receipt(
    platform: &str,
    to: &str,
    name: &str,
    purchase: &PurchaseFacts<'_>,
    receipt_url: &str,
) -> OutgoingEmail {
    let bought = format!("Thank you for your purchase of \"{}\".", purchase.title);
    let details = format!(
        "Amount: {} · Date: {} · Payment: {}",
        purchase.amount, purchase.date, purchase.payment_id
    );
    Message {
        greeting_name: name,
        paragraphs: &[
            &bought,
            &details,
            "It is in your library now, ready to watch.",
        ],
        action: Some(("View your receipt", receipt_url)),
        platform,
    }
    .into_email(
        EmailKind::PurchaseReceipt,
        to,
        format!("Your receipt from {platform}"),
    )
}

pub fn sale_notification(
    platform: &str,
    to: &str,
    owner_name: &str,
    customer: &str,
    purchase: &PurchaseFacts<'_>,
    purchases_url: &str,
) -> OutgoingEmail {
    let sold = format!(
        "{customer} bought \"{}\" for {}.",
        purchase.title, purchase.amount
    );
    let details = format!("Date: {} · Payment: {}", purchase.date, purchase.payment_id);
    Message {
        greeting_name: owner_name,
        paragraphs: &[&sold, &details],
        action: Some(("See your purchases", purchases_url)),
        platform,
    }
    .into_email(
        EmailKind::SaleNotification,
        to,
        format!("New sale: {}", purchase.title),
    )
}

pub fn refund_confirmation(
    platform: &str,
    to: &str,
    name: &str,
    purchase: &PurchaseFacts<'_>,
    reason: &str,
    purchases_url: &str,
) -> OutgoingEmail {
    let refunded = format!(
        "Your purchase of \"{}\" ({}) has been refunded. The money goes back to your card within 5 to 10 days.",
        purchase.title, purchase.amount
    );
    let why = format!("Reason: {reason}");
    Message {
        greeting_name: name,
        paragraphs: &[&refunded, &why, "The item has left your library."],
        action: Some(("Your purchases", purchases_url)),
        platform,
    }
    .into_email(
        EmailKind::RefundConfirmation,
        to,
        format!("Your refund from {platform}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_in_html_but_kept_in_text() {
        let email = welcome(
            "Codex",
            "a@example.com",
            "<b>Ada</b> & co",
            "http://x/library",
        );
        assert!(email.html.contains("&lt;b&gt;Ada&lt;/b&gt; &amp; co"));
        assert!(!email.html.contains("<b>Ada"));
        assert!(email.text.contains("Hi <b>Ada</b> & co,"));
    }

    #[test]
    fn links_appear_in_both_parts() {
        let link = "http://127.0.0.1:3000/verify-email?token=abc.def";
        let email = verify_email("Codex", "a@example.com", "Ada", link);
        assert!(email.text.contains(link));
        assert!(email.html.contains(&format!("href=\"{link}\"")));
        assert_eq!(email.kind.as_str(), "verify_email");
    }
}
