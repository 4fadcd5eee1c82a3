//! Private podcast feeds: each customer's RSS feed of the audio items they may play now
//! (`rss`), behind a URL that is theirs alone and can be reset (`feeds`), with enclosures
//! that check the feed and the access again on every fetch. A feed fetched from more
//! networks in a day than the owner allows is reset by itself (`feeds::note_fetch`).

pub mod feeds;
pub mod routes;
pub mod rss;
