//! The owner's area. The dashboard itself comes with the admin issue; until then it links
//! to what exists.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminDashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard"/>
        <h1>"Dashboard"</h1>
        <section class="card">
            <p>"Welcome to your platform. Sales figures will appear here."</p>
            <ul>
                <li><a href="/admin/emails">"Emails sent by the platform"</a></li>
            </ul>
        </section>
    }
}
