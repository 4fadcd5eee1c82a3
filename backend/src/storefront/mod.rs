//! What the storefront's pages show beyond the items themselves: the catalog's shop window
//! (the creator, the featured item, rows of new items, bundles and memberships) and what an
//! item's page says besides its offers (the description, the creator, related items).
//! It composes the floors below it: content, settings, memberships and the owner's account.

pub mod about;
pub mod shop_window;
