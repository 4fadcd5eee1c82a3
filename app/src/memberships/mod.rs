//! Memberships: the owner's tiers (`/admin/memberships`) and the pricing page (`/pricing`),
//! where customers subscribe and manage their membership. Subscribing and managing are
//! plain forms to `backend::payments::subscribe`; the rules are in `backend::memberships`.

pub mod admin_page;
pub mod api;
pub mod payments_table;
pub mod pricing_page;

pub use domain::memberships::*;
