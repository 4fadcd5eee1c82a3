//! Outbound events: what Codex tells the owner's own tools (a CRM, a spreadsheet, a chat
//! channel) through webhook endpoints they register in the settings.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The events an endpoint receives (all of them; a receiver filters on `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// A purchase was paid.
    Sale,
    /// A purchase was refunded.
    Refund,
    /// A dispute opened or closed.
    Dispute,
    /// A customer gained access to an item (a purchase, a free item, a grant, a dispute won).
    AccessGranted,
    /// A customer lost access on one ground (a refund, a dispute, a revoked grant).
    AccessRevoked,
    /// A viewer reached the end of an item (once per viewing session).
    ViewingCompleted,
}

impl EventType {
    pub const ALL: [Self; 6] = [
        Self::Sale,
        Self::Refund,
        Self::Dispute,
        Self::AccessGranted,
        Self::AccessRevoked,
        Self::ViewingCompleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sale => "sale",
            Self::Refund => "refund",
            Self::Dispute => "dispute",
            Self::AccessGranted => "access_granted",
            Self::AccessRevoked => "access_revoked",
            Self::ViewingCompleted => "viewing.completed",
        }
    }
}

/// A registered endpoint as the owner sees it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointView {
    pub id: Uuid,
    pub url: String,
    pub created_at: String,
    pub delivered: i64,
    pub failing: i64,
}

/// A new endpoint or a rolled secret: the only time the signing secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealedSecret {
    pub endpoint_id: Uuid,
    pub url: String,
    pub secret: String,
}

/// One event sent (or being sent) to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: Uuid,
    pub url: String,
    pub event_id: Uuid,
    pub event_type: String,
    /// pending, delivered or failed.
    pub status: String,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: String,
}

impl DeliveryView {
    /// Delivered ones can be sent again (a receiver lost it), failed ones retried.
    pub fn resendable(&self) -> bool {
        self.status != "pending"
    }
}
