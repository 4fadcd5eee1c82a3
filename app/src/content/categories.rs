//! Categories: the settings' list (add, rename, order, delete), the content form's choice,
//! and the catalog's filter.

use leptos::prelude::*;

use super::types::Category;
use crate::error::AppError;
use crate::ui::{action_error, hydrated, FormAlert, LoadError};
#[cfg(feature = "ssr")]
use {
    crate::auth::guard, crate::error::respond, backend::content::categories,
    domain::content::CategoryName,
};

/// The categories in the owner's order (anyone: the catalog filters by them).
#[server(endpoint = "list_categories")]
pub async fn list_categories() -> Result<Vec<Category>, AppError> {
    respond(
        async {
            let call = guard::call().await?;
            categories::list(&call.state.pool).await
        }
        .await,
    )
}

#[server(endpoint = "add_category")]
pub async fn add_category(name: String) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.owner()?;
            categories::add(&call.state, &owner, &CategoryName::parse(&name)?).await
        }
        .await,
    )
}

#[server(endpoint = "rename_category")]
pub async fn rename_category(name: String, new_name: String) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.owner()?;
            categories::rename(&call.state, &owner, &name, &CategoryName::parse(&new_name)?).await
        }
        .await,
    )
}

/// `direction`: `up` (earlier in the list) or `down`.
#[server(endpoint = "move_category")]
pub async fn move_category(name: String, direction: String) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            let owner = call.caller.owner()?;
            let up = match direction.as_str() {
                "up" => true,
                "down" => false,
                _ => {
                    return Err(backend::error::Error::validation(
                        "Move a category up or down.",
                    ))
                }
            };
            categories::shift(&call.state, &owner, &name, up).await
        }
        .await,
    )
}

#[server(endpoint = "delete_category")]
pub async fn delete_category(name: String) -> Result<(), AppError> {
    respond(
        async {
            let call = guard::call().await?;
            categories::delete(&call.state, &call.caller.owner()?, &name).await
        }
        .await,
    )
}

/// The settings' "Categories" card.
#[component]
pub fn CategoriesSection() -> impl IntoView {
    let add = ServerAction::<AddCategory>::new();
    let rename = ServerAction::<RenameCategory>::new();
    let shift = ServerAction::<MoveCategory>::new();
    let delete = ServerAction::<DeleteCategory>::new();
    let ready = hydrated();
    let list = Resource::new(
        move || {
            (
                add.version().get(),
                rename.version().get(),
                shift.version().get(),
                delete.version().get(),
            )
        },
        |_| list_categories(),
    );
    // The last failure of any of the four, shown once above the list.
    let error = Signal::derive(move || {
        [
            action_error(add).get(),
            action_error(rename).get(),
            action_error(shift).get(),
            action_error(delete).get(),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    view! {
        <section class="card" aria-labelledby="categories-heading">
            <h2 id="categories-heading">"Categories"</h2>
            <p class="hint">"The catalog offers them as filters, in this order; each item can have one. A rename changes every item in the category; a deleted category leaves its items without one."</p>
            <FormAlert error/>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || list.get().map(|result| match result {
                    Ok(categories) if categories.is_empty() => view! {
                        <p class="empty">"No categories yet. Add one below, then choose it for your items."</p>
                    }.into_any(),
                    Ok(categories) => {
                        let last = categories.len() - 1;
                        view! {
                            <ol class="category-list" aria-label="Categories">
                                {categories.into_iter().enumerate().map(|(at, category)| view! {
                                    <CategoryRow category first=at == 0 last=at == last rename shift delete ready/>
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Transition>
            <ActionForm action=add attr:class="form inline-fields">
                <div class="field">
                    <label for="new-category">"New category"</label>
                    <input id="new-category" name="name" required maxlength="50"/>
                </div>
                <button type="submit" class="button" disabled=move || !ready.get()>"Add category"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn CategoryRow(
    category: Category,
    first: bool,
    last: bool,
    rename: ServerAction<RenameCategory>,
    shift: ServerAction<MoveCategory>,
    delete: ServerAction<DeleteCategory>,
    ready: Signal<bool>,
) -> impl IntoView {
    let name = category.name;
    let items = match category.published_items {
        1 => "1 item".to_string(),
        n => format!("{n} items"),
    };
    let busy = move || !ready.get();
    let label = |what: &str| what.replace("{}", &name);
    // Each form's children are their own closure: each takes its own copy of the name.
    let (for_rename, for_field, for_move) = (name.clone(), name.clone(), name.clone());
    let (field, rename_label, up_label, down_label, delete_label) = (
        label("Name of {}"),
        label("Rename {}"),
        label("Move {} up"),
        label("Move {} down"),
        label("Delete {}"),
    );
    view! {
        <li class="category-row">
            <ActionForm action=rename attr:class="inline-fields">
                <input type="hidden" name="name" value=for_rename/>
                <input name="new_name" value=for_field required maxlength="50" aria-label=field/>
                <button type="submit" class="button button-small" aria-label=rename_label disabled=busy>"Rename"</button>
            </ActionForm>
            <span class="hint">{items}</span>
            <div class="button-row">
                <ActionForm action=shift attr:class="inline-form">
                    <input type="hidden" name="name" value=for_move/>
                    <button type="submit" name="direction" value="up" class="button button-small"
                        aria-label=up_label disabled=move || first || busy()>"Up"</button>
                    <button type="submit" name="direction" value="down" class="button button-small"
                        aria-label=down_label disabled=move || last || busy()>"Down"</button>
                </ActionForm>
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="name" value=name/>
                    <button type="submit" class="button button-small button-danger"
                        aria-label=delete_label disabled=busy>"Delete"</button>
                </ActionForm>
            </div>
        </li>
    }
}

/// The content form's "Category" choice: none, or one of the list; a category the item
/// names stays selected while the list loads.
#[component]
pub fn CategorySelect(current: Option<String>) -> impl IntoView {
    let list = Resource::new(|| (), |_| list_categories());
    let saved = current.clone();
    view! {
        <div class="field">
            <label for="field-category">"Category"</label>
            <select id="field-category" name="category" aria-describedby="field-category-hint">
                <option value="">"No category"</option>
                <Suspense fallback=move || saved.clone().map(|name| {
                    let label = name.clone();
                    view! { <option value=name selected=true>{label}</option> }
                })>
                    {move || list.get().and_then(Result::ok).map(|categories| {
                        let current = current.clone();
                        categories.into_iter().map(move |category| {
                            let selected = Some(&category.name) == current.as_ref();
                            let label = category.name.clone();
                            view! { <option value=category.name selected=selected>{label}</option> }
                        }).collect_view()
                    })}
                </Suspense>
            </select>
            <p class="hint" id="field-category-hint">"Categories are added and ordered in "<a href="/admin/settings#categories-heading">"Settings"</a>"."</p>
        </div>
    }
}
