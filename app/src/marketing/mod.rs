//! Marketing email: the preferences page a person reaches from any marketing email (or
//! signed in), the consent box, and the owner's broadcasts and abandoned checkout email.
//! Consent, sending and the automation are in `backend::marketing`.

pub mod api;
pub mod broadcast_page;
pub mod broadcasts_page;
pub mod consent;
pub mod customer_emails;
pub mod preferences_page;

pub use domain::marketing::*;
