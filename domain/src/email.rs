//! Emails: templates, the outbox they are written to, the delivery worker and the owner's
//! outbox page.

use serde::{Deserialize, Serialize};

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
}
