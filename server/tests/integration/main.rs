//! The integration tests: the real router over real HTTP, each test with a fresh database.
//! They are one test binary (modules, not separate files under `tests/`) so that the whole
//! application is linked once rather than once per file: a dozen copies of it filled the
//! disk of a CI machine.

mod common;

mod accounts;
mod admin;
mod analytics;
mod captions;
mod cli;
mod content;
mod downloads;
mod email_outbox;
mod hardening;
mod jobs;
mod library;
mod marketing;
mod media_processing;
mod media_upload;
mod memberships;
mod operations;
mod outbound_webhooks;
mod payment_events;
mod payments;
mod playback;
mod podcast;
mod s3_storage;
mod security;
mod selling;
mod shop_window;
mod storefront;
mod streams;
