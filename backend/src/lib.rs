//! Codex's server side, without a UI: the queries and rules of every feature, the media
//! pipeline, the email outbox and its delivery, payments, and the plain HTTP handlers
//! (`routes`). It does not depend on Leptos, and the pages cannot be imported from here.
//!
//! Operations take the state (or a connection) and the caller as values: an [`auth::Owner`]
//! or an [`auth::SignedIn`] can only be had by checking the session, so an operation that
//! takes one cannot be reached without that check.

pub mod access;
pub mod account;
pub mod analytics;
pub mod auth;
pub mod byte_range;
pub mod cached;
pub mod client_ip;
pub mod content;
pub mod cpu_work;
pub mod csv;
pub mod customers;
pub mod dashboard;
pub mod email;
pub mod error;
pub mod image_upload;
pub mod images;
pub mod in_memory;
pub mod jobs;
pub mod keys;
pub mod library;
pub mod long_request;
pub mod mail;
pub mod marketing;
pub mod media;
pub mod memberships;
pub mod outbound;
pub mod payments;
pub mod playback;
pub mod podcast;
pub mod purchases;
pub mod query;
pub mod rate_limit;
pub mod revenue;
pub mod security_log;
pub mod selling;
pub mod settings;
pub mod state;
pub mod storage;
pub mod storefront;
pub mod streams;
pub mod stripe;
pub mod web_targets;

pub use error::{Error, Result};
pub use state::{AppState, Audience, FirstRun, PublicUrl};
