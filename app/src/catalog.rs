//! The public catalog (filled by the content issue).

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CatalogPage() -> impl IntoView {
    view! {
        <Title text="Catalog"/>
        <section class="hero">
            <h1>"Videos and audio, ready to stream"</h1>
            <p>"New content is on its way. Create an account to be ready when it arrives."</p>
        </section>
    }
}
