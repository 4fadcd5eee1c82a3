//! Audience analytics, collected by Codex itself: viewing sessions reported by the player
//! (`viewing`), storefront page views counted on the server with a salted daily hash of
//! the visitor (`traffic`), both folded into per-day rollups by a worker (`rollup`), and
//! the owner's reports and exports (`report`, `export`). No raw IP is stored and no cookie
//! is added; the owner's own plays count nothing. Revenue comes from `revenue`, as the
//! dashboard's does.

pub mod export;
pub mod report;
pub mod rollup;
pub mod traffic;
pub mod viewing;
