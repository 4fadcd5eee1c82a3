//! The owner's items as checkboxes named `items[i]` (a form's `items: Vec<String>`), for
//! the forms that apply to some items: discount codes, membership tiers.

use leptos::prelude::*;

use crate::content::api::list_content;
use crate::ui::LoadError;

#[component]
pub fn ItemChoice(
    /// Makes the checkboxes' ids unique on the page.
    prefix: &'static str,
) -> impl IntoView {
    let items = Resource::new(|| (), |_| list_content(None));
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || items.get().map(|result| match result {
                Ok(list) => list.into_iter().enumerate().map(|(i, item)| {
                    let id = format!("{prefix}-{i}");
                    view! {
                        <div class="field-checkbox">
                            <input id=id.clone() type="checkbox" name=format!("items[{i}]") value=item.id.to_string()/>
                            <label for=id>{item.title}</label>
                        </div>
                    }
                }).collect_view().into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Suspense>
    }
}
