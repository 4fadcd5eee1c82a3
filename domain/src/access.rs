//! Why someone may play an item.

use serde::{Deserialize, Serialize};

/// The ground of an access row: a paid purchase, a free item, the owner's grant,
/// a rental or a membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum AccessReason {
    Purchased,
    Free,
    Granted,
    /// A rental: access that ends.
    Rented,
    /// A membership tier: access while the subscription lasts.
    Member,
}

impl AccessReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Purchased => "purchased",
            Self::Free => "free",
            Self::Granted => "granted",
            Self::Rented => "rented",
            Self::Member => "member",
        }
    }
}
