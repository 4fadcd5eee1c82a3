//! Emails: templates, the outbox they are written to, the delivery worker and the owner's
//! outbox page.

use serde::{Deserialize, Serialize};

/// Where a one-time link's token goes in a stored email body; the delivery worker fills
/// it in as it sends, so the database never holds the token.
pub const TOKEN_SLOT: &str = "__one-time-token__";

/// One outbox row as the owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: uuid::Uuid,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: time::OffsetDateTime,
    /// It carries a one-time link: its body shows only the link's slot, and it is never
    /// sent again (a new link is a new email).
    pub one_time_link: bool,
}
