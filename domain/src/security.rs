//! The security log as the owner reads it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecurityEventKind {
    LoginFailed,
    AccessRefused,
    OwnerAction,
}

impl SecurityEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginFailed => "login_failed",
            Self::AccessRefused => "access_refused",
            Self::OwnerAction => "owner_action",
        }
    }

    /// How the log page names it.
    pub fn label(kind: &str) -> &'static str {
        match kind {
            "login_failed" => "Failed login",
            "access_refused" => "Refused",
            "owner_action" => "Owner action",
            _ => "Other",
        }
    }
}

/// One entry of the security log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityEvent {
    pub at: time::OffsetDateTime,
    pub kind: String,
    /// The signed-in person's email, if any.
    pub actor: Option<String>,
    pub ip: String,
    pub action: String,
    pub status: i32,
    pub detail: String,
    /// How many times it happened in a row (within ten minutes of each other).
    pub repeats: i32,
}
