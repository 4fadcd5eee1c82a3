//! Selling tools: bundles (the editor's "Bundle" section, the item page's contents),
//! discount codes (`/admin/discounts`), the item editor's selling options
//! (pay what you want, rent) and the item page's offers ("Buy now", "Your price", "Rent",
//! "Discount code"). Prices are computed in `backend::selling`.

pub mod api;
pub mod bundle_contents;
pub mod bundle_section;
pub mod discounts_page;
pub mod item_choice;
pub mod offers;
pub mod options_section;

pub use domain::selling::*;
