//! Marketing email, with consent: what each person agreed to (`consent`), the signed links
//! of its emails (`links`), broadcasts written in Markdown (`broadcasts`, `markdown`), the
//! abandoned checkout automation (`abandoned`), and the one sender of all of it
//! (`sending`), which mails each recipient at most once, at `EMAIL_SEND_RATE`.
//! Transactional email is `email`'s and never depends on any of this.

pub mod abandoned;
pub mod automations;
pub mod broadcasts;
pub mod compose;
pub mod consent;
pub mod links;
pub mod markdown;
pub mod sending;
pub mod unsubscribe;
