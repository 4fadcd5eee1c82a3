//! Selling tools: how an item is offered besides its one price.
//!
//! - `bundles`: items that hold several items;
//! - `discounts`: the owner's codes and the check every use goes through;
//! - `pricing`: the price of an offer (buy, rent, pay what you want, less a code);
//! - `options`: the item editor's selling options;
//! - `receipt_link`: the durable link in every receipt email.

pub mod bundles;
pub mod discounts;
pub mod options;
pub mod pricing;
pub mod receipt_link;

/// The ids of the items ticked in a form's `items[...]` checkboxes (at most 1000).
pub fn chosen_items(items: &[String]) -> Result<Vec<uuid::Uuid>, crate::error::Error> {
    use crate::error::Error;
    let items = items
        .iter()
        .filter(|id| !id.trim().is_empty())
        .map(|id| {
            uuid::Uuid::try_parse(id.trim())
                .map_err(|_| Error::validation("Choose items from the list."))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if items.len() > 1000 {
        return Err(Error::validation("Choose at most 1000 items."));
    }
    Ok(items)
}
