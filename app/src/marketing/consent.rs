use leptos::prelude::*;

/// The marketing opt-in of a form: never ticked until the person ticks it.
#[component]
pub fn NewsConsent(
    /// Makes the checkbox's id unique on the page.
    #[prop(default = "news")]
    id: &'static str,
) -> impl IntoView {
    view! {
        <div class="field-checkbox">
            <input id=id type="checkbox" name="news" value="on"/>
            <label for=id>"Send me news and new releases"</label>
        </div>
    }
}
