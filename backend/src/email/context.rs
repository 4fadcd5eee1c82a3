//! What every email of one action needs from the owner's settings, read once: the brand,
//! the owner's wording, which emails are switched on, and where their links point. The settings build it
//! (`settings::service::email_context`); templates and the outbox only read it.

use std::sync::Arc;

use super::templates::{Addressee, Brand, EmailKind};
use crate::state::PublicUrl;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailContext {
    pub brand: Brand,
    /// The owner's wording of the welcome email ('' for the default).
    pub welcome_text: String,
    /// The owner's wording of the receipt ('' for the default).
    pub receipt_text: String,
    pub send_welcome: bool,
    pub send_receipt: bool,
    pub send_sale_notification: bool,
    pub send_refund: bool,
    /// Where the emails' links point.
    pub links: Arc<PublicUrl>,
}

impl EmailContext {
    /// `path_and_query` as an absolute link of the site.
    pub fn link(&self, path_and_query: &str) -> String {
        self.links.link(path_and_query)
    }

    /// An email to `to`, greeting `name`, under the brand.
    pub fn addressed<'a>(&'a self, to: &'a str, name: &'a str) -> Addressee<'a> {
        Addressee {
            brand: &self.brand,
            to,
            name,
        }
    }

    /// Whether emails of `kind` go out. Verification and password emails always do.
    pub fn sends(&self, kind: EmailKind) -> bool {
        match kind {
            EmailKind::Welcome => self.send_welcome,
            EmailKind::PurchaseReceipt => self.send_receipt,
            EmailKind::SaleNotification => self.send_sale_notification,
            EmailKind::RefundConfirmation => self.send_refund,
            EmailKind::VerifyEmail
            | EmailKind::PasswordReset
            | EmailKind::PasswordChanged
            | EmailKind::EmailChanged
            | EmailKind::AccountExists
            | EmailKind::DisputeNotification
            | EmailKind::MembershipPaymentNotification
            | EmailKind::BroadcastTest
            | EmailKind::PodcastFeedReset => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_emails_go_out_whatever_the_switches() {
        let all_off = EmailContext {
            brand: Brand::named("Codex"),
            welcome_text: String::new(),
            receipt_text: String::new(),
            send_welcome: false,
            send_receipt: false,
            send_sale_notification: false,
            send_refund: false,
            links: Arc::new(PublicUrl::new("https://videos.example.com")),
        };
        assert!(!all_off.sends(EmailKind::Welcome));
        assert!(!all_off.sends(EmailKind::RefundConfirmation));
        assert!(all_off.sends(EmailKind::VerifyEmail));
        assert!(all_off.sends(EmailKind::PasswordReset));
        assert!(all_off.sends(EmailKind::PasswordChanged));
    }
}
