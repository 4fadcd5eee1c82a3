//! The customer's library of owned items (filled by the content issue).

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LibraryPage() -> impl IntoView {
    view! {
        <Title text="Your library"/>
        <h1>"Your library"</h1>
        <section class="card">
            <p>"Items you buy or get for free will appear here."</p>
            <p><a href="/">"Browse the catalog"</a></p>
        </section>
    }
}
