//! `/admin/customers`: search, pages of 25, CSV export of the filtered list, and a detail
//! page per customer (purchases, total spent, owned items, "Grant access").

pub mod api;
pub mod pages;

pub use domain::customers::*;
