//! Emails: templates, the outbox they are written to and the delivery worker.

pub mod context;
pub mod delivery;
pub mod outbox;
pub mod suppression;
pub mod templates;
