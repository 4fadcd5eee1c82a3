//! Payments as pages: "Buy now" results, the customer's purchases and receipts, the
//! owner's purchases list with refunds and grants. The work itself (Stripe Checkout, the
//! webhook, fulfilment) is in `backend::purchases`.

pub mod account_pages;
pub mod admin_page;
pub mod api;
pub mod success_page;

pub use domain::purchases::*;
