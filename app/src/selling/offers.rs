//! The item page's buy box: the price, the primary action ("Watch" for those who may play
//! it, else "Get access" (free) or "Buy now", with "Your price" for pay what you want), the
//! other offers as rows of their own ("Rent" with its terms, the memberships that include
//! it), a collapsed "Have a code?" holding the "Discount code" form, and what the buyer
//! gets. Every action is a plain form (a POST to `/checkout/start`, a GET back to this page
//! with `?code=`) and the code's `<details>` opens without a script, so none loses a click
//! before the page hydrates. Prices shown come from the server (`quote_discount`), which
//! computes the same figure the checkout charges.

use domain::paths;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{CodeRefusal, Quote};
use crate::content::api::GetFreeAccess;
use crate::content::types::{CatalogItem, Viewer};
use crate::error::AppError;
use crate::ui::{action_error, FormAlert};
use domain::content::price_label;

#[component]
pub fn BuyBox(
    item: CatalogItem,
    viewer: Viewer,
    /// What the page's `?code=` makes of the prices (`None`: no code typed).
    quote: Option<Result<Quote, AppError>>,
    /// The membership tiers that unlock it, when the viewer cannot keep it yet.
    tiers: Vec<String>,
    /// What comes with it, one short line each (`1:20:00 of video`, `12 chapters`).
    includes: Vec<String>,
) -> AnyView {
    let query = use_query_map();
    let typed_code = move || query.read().get("code").filter(|c| !c.trim().is_empty());
    let get_access = ServerAction::<GetFreeAccess>::new();
    let got = Signal::derive(move || matches!(get_access.value().get(), Some(Ok(()))));
    let slug = item.slug.clone();
    let watch = paths::watch(&slug);
    let library_entry = paths::library_entry(&slug);
    let is_bundle = item.is_bundle;
    let rental = item.rental();
    let codes_apply = (item.price_cents > 0 && !item.pay_what_you_want) || rental.is_some();
    let minimum = item.price_cents;
    let item_for_forms = item.clone();
    let applied: Option<Quote> = quote.clone().and_then(Result::ok);
    let kept_from_start = matches!(viewer, Viewer::HasAccess | Viewer::Owner);
    let after_code = applied
        .as_ref()
        .and_then(|q| q.buy_cents)
        .filter(|_| !item.pay_what_you_want);
    let price = (!kept_from_start).then(|| match after_code {
        Some(after) => price_with_code(item.price_cents, Some(after)),
        None => view! { <span class="price">{item.price_text()}</span> }.into_any(),
    });
    let forms = move || {
        let applied: Option<Quote> = applied.clone();
        let may_play =
            matches!(viewer, Viewer::HasAccess | Viewer::Owner | Viewer::Renting) || got.get();
        let keeps = kept_from_start || got.get();
        let watch_button = may_play.then(|| match is_bundle {
            // A bundle plays nothing itself: its items are in the library.
            true => view! { <a class="button button-primary" href=library_entry.clone()>"Open in library"</a> }.into_any(),
            false => view! { <a class="button button-primary" href=watch.clone() rel="external">"Watch"</a> }.into_any(),
        });
        let buying = (!keeps).then(|| {
            buy_form(
                &item_for_forms,
                viewer,
                get_access,
                applied.as_ref(),
                query.read().get("your_price"),
            )
        });
        let renting = rental
            .filter(|_| !may_play)
            .map(|terms| rent_form(&item_for_forms, viewer, terms, applied.as_ref()));
        view! { {watch_button} {buying} {renting} }
    };
    let memberships = (!tiers.is_empty() && viewer != Viewer::Renting).then(|| {
        view! {
            <p class="offer-row membership-offer">
                <span class="offer-terms">{format!("Included in the {} membership.", tiers.join(" and "))}</span>
                <a class="button" href=paths::PRICING>"See memberships"</a>
            </p>
        }
    });
    let code_form = (codes_apply && !kept_from_start).then(|| {
        view! {
            // Open when a code was typed, so its answer and the field are in view.
            <details class="code-box" open=move || typed_code().is_some()>
                <summary>"Have a code?"</summary>
                <form method="get" action=paths::content(&slug) class="code-form">
                    <label for="discount-code">"Discount code"</label>
                    <div class="code-row">
                        // The attribute, not the property: a code typed before the page
                        // hydrates is kept (hydration setting the property would put the
                        // last code back).
                        <input id="discount-code" name="code" maxlength="32" autocomplete="off"
                            value=move || typed_code().unwrap_or_default()/>
                        <button type="submit" class="button">"Apply"</button>
                    </div>
                </form>
            </details>
        }
    });
    // On a phone, once the buy box scrolls away, a bar at the bottom brings it back (CSS
    // alone shows it: a scroll-driven animation on the box's view timeline).
    let bar = (!kept_from_start && viewer != Viewer::Unverified).then(|| {
        view! {
            <div class="buy-bar">
                <span class="price">{after_code.map(price_label).unwrap_or_else(|| item.price_text())}</span>
                <a class="button button-primary" href="#buy">"Buying options"</a>
            </div>
        }
    });
    view! {
        {bar}
        <section class="card buy-box" id="buy" aria-label="Buy">
            {price.map(|price| view! { <p class="buy-price">{price}</p> })}
            <div class="offers">{forms}</div>
            {memberships}
            <FormAlert error=action_error(get_access)/>
            {quote.map(|result| match result {
                Ok(q) => view! {
                    <p class="alert alert-success" role="status">{format!("Code {} applied: {}.", q.code, q.label)}</p>
                }.into_any(),
                Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
            })}
            {code_form}
            <CheckoutMessage minimum/>
            {(!includes.is_empty()).then(|| view! {
                <ul class="includes" aria-label="What you get">
                    {includes.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                </ul>
            })}
        </section>
    }
    // Erased here, or the item page's view type is too deep for the compiler.
    .into_any()
}

/// `$19.99`, or `$15.99` with the list price struck through when a code lowers it.
fn price_with_code(list: i32, after_code: Option<i32>) -> AnyView {
    match after_code {
        Some(price) if price != list => view! {
            <span class="price"><s aria-label=format!("was {}", price_label(list))>{price_label(list)}</s>" "{price_label(price)}</span>
        }
        .into_any(),
        _ => view! { <span class="price">{price_label(list)}</span> }.into_any(),
    }
}

fn buy_form(
    item: &CatalogItem,
    viewer: Viewer,
    get_access: ServerAction<GetFreeAccess>,
    applied: Option<&Quote>,
    typed_price: Option<String>,
) -> AnyView {
    let login = paths::login_then(&paths::content(&item.slug));
    let free = item.price_cents == 0 && !item.pay_what_you_want;
    match (viewer, free) {
        (Viewer::Anonymous, true) => view! { <a class="button button-primary" href=login>"Get access"</a> }.into_any(),
        (Viewer::Anonymous, false) => view! { <a class="button button-primary" href=login>"Buy now"</a> }.into_any(),
        (Viewer::Unverified, _) => view! {
            <p class="alert alert-error" role="alert">"Verify your email address to get this item: check your inbox for the link."</p>
        }.into_any(),
        (_, true) => {
            let id = item.id.to_string();
            view! {
            <ActionForm action=get_access attr:class="offer">
                <input type="hidden" name="content_id" value=id/>
                <button type="submit" class="button button-primary">"Get access"</button>
            </ActionForm>
            }.into_any()
        }
        (_, false) => {
            let code = applied.filter(|q| q.buy_cents.is_some()).map(|q| q.code.clone());
            let your_price = item.pay_what_you_want.then(|| {
                let value = typed_price
                    .or(item.suggested_price_cents.map(cents_text))
                    .unwrap_or_else(|| cents_text(item.price_cents));
                let hint = match item.price_cents {
                    0 => "Pay what you want, or 0 to get it free.".to_string(),
                    min => format!("Pay what you want: {} or more.", price_label(min)),
                };
                view! {
                    <div class="field your-price">
                        <label for="your-price">"Your price"</label>
                        <input id="your-price" name="your_price" inputmode="decimal" required value=value aria-describedby="your-price-hint"/>
                        <p id="your-price-hint" class="hint">{hint}</p>
                    </div>
                }
            });
            view! {
                // A plain form: the server prices the checkout and sends the browser to it.
                <form method="post" action="/checkout/start" class="offer">
                    <input type="hidden" name="content_id" value=item.id.to_string()/>
                    <input type="hidden" name="offer" value="buy"/>
                    {code.map(|code| view! { <input type="hidden" name="discount_code" value=code/> })}
                    {your_price}
                    <crate::marketing::consent::NewsConsent id="buy-news"/>
                    <button type="submit" class="button button-primary">"Buy now"</button>
                </form>
            }
            .into_any()
        }
    }
}

fn rent_form(
    item: &CatalogItem,
    viewer: Viewer,
    terms: domain::selling::RentalTerms,
    applied: Option<&Quote>,
) -> AnyView {
    let summary = terms.summary();
    let price = price_with_code(terms.price_cents, applied.and_then(|q| q.rent_cents));
    match viewer {
        Viewer::Anonymous => {
            let login = paths::login_then(&paths::content(&item.slug));
            view! {
                <p class="offer-row">
                    <span class="offer-terms"><span>"Rent for "{price}</span><span class="hint">{summary}</span></span>
                    <a class="button" href=login>"Rent"</a>
                </p>
            }
            .into_any()
        }
        Viewer::Unverified | Viewer::Owner | Viewer::HasAccess => ().into_any(),
        Viewer::Customer | Viewer::Renting => {
            let code = applied
                .filter(|q| q.rent_cents.is_some())
                .map(|q| q.code.clone());
            view! {
                <form method="post" action="/checkout/start" class="offer-row">
                    <input type="hidden" name="content_id" value=item.id.to_string()/>
                    <input type="hidden" name="offer" value="rent"/>
                    {code.map(|code| view! { <input type="hidden" name="discount_code" value=code/> })}
                    <span class="offer-terms"><span>"Rent for "{price}</span><span class="hint">{summary}</span></span>
                    <button type="submit" class="button">"Rent"</button>
                </form>
            }
            .into_any()
        }
    }
}

/// `12.34` for a form field.
fn cents_text(cents: i32) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// What came of a checkout that sent the customer back here (`?checkout=`).
#[component]
fn CheckoutMessage(minimum: i32) -> impl IntoView {
    let query = use_query_map();
    move || {
        let reason = query.read().get("checkout")?;
        let (message, is_error) = match reason.as_str() {
            "cancelled" => (
                "Checkout cancelled: you have not been charged.".to_string(),
                false,
            ),
            "owned" => ("You already own this item.".to_string(), false),
            "got" => ("It is in your library now.".to_string(), false),
            "verify" => (
                "Verify your email address before buying: check your inbox for the link."
                    .to_string(),
                true,
            ),
            "owner" => (
                "This is your own item: it is always available to you.".to_string(),
                false,
            ),
            "free" => ("This item is free: use “Get access”.".to_string(), false),
            "unavailable" => (
                "Payments are not available right now. Please try again in a moment.".to_string(),
                true,
            ),
            "your_price" => (
                match minimum {
                    0 => "Enter your price: 0 for free, or $1.00 to $999.99.".to_string(),
                    min => format!("Your price must be at least {}.", price_label(min)),
                },
                true,
            ),
            "not_for_rent" => ("This item is not for rent.".to_string(), true),
            "code_tries" => (
                "Too many discount codes tried. Please try again later.".to_string(),
                true,
            ),
            "busy" => (
                "You have started many checkouts in the last hour. Please finish one, or try again later."
                    .to_string(),
                true,
            ),
            // With the code in the address, the quote above says what is wrong with it.
            other if query.read().get("code").is_none() => {
                (CodeRefusal::from_query(other)?.message().to_string(), true)
            }
            _ => return None,
        };
        Some(if is_error {
            view! { <p class="alert alert-error" role="alert">{message}</p> }.into_any()
        } else {
            view! { <p class="alert alert-info" role="status">{message}</p> }.into_any()
        })
    }
}
