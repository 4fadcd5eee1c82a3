//! `/terms` and `/privacy`: the owner's terms of sale and privacy policy, as they wrote them
//! in the settings (plain text; a blank line starts a paragraph). 404 until written.

use leptos::prelude::*;

use super::api::legal_text;
use crate::ui::{set_page_status, LoadError, PageHead};

#[component]
pub fn TermsPage() -> impl IntoView {
    view! { <LegalPage kind="terms" title="Terms of sale" description="The terms on which this platform sells, refunds and streams."/> }
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    view! { <LegalPage kind="privacy" title="Privacy policy" description="How this platform uses and keeps your personal data."/> }
}

#[component]
fn LegalPage(kind: &'static str, title: &'static str, description: &'static str) -> impl IntoView {
    let text = Resource::new(|| (), move |_| legal_text(kind.to_string()));
    view! {
        <PageHead title=title description/>
        <article class="card legal">
            <h1>{title}</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || text.get().map(|result| match result {
                    Ok(text) if text.is_empty() => {
                        set_page_status(404);
                        view! { <p class="empty">"Not written yet. Questions? Use the contact address below."</p> }.into_any()
                    }
                    Ok(text) => text
                        .split("\n\n")
                        .filter(|p| !p.trim().is_empty())
                        .map(|p| view! { <p>{p.trim().to_string()}</p> })
                        .collect_view()
                        .into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Suspense>
        </article>
    }
}
