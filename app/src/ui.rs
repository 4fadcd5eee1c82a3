//! Small building blocks shared by the forms of every feature.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{Meta, Title};

use crate::error::AppError;
use domain::media::MAX_IMAGE_SIDE;

/// True once the page is hydrated: a button that needs the client (its answer is shown
/// only once) is disabled until then, so a click before hydration is never lost.
pub fn hydrated() -> Signal<bool> {
    let ready = RwSignal::new(false);
    // Effects run in the browser only, after hydration.
    Effect::new(move |_| ready.set(true));
    ready.into()
}

/// The error of the last run of `action`, if it failed.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let value = action.value();
    Signal::derive(move || value.get().and_then(Result::err))
}

/// Whether the last run of `action` succeeded.
pub fn action_succeeded<S>(action: ServerAction<S>) -> Signal<bool>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let value = action.value();
    Signal::derive(move || matches!(value.get(), Some(Ok(_))))
}

/// Links that filter a list page by `?status=`, the one showing marked as current.
/// `options` are (value, label) pairs; the value "" is the unfiltered list.
#[component]
pub fn StatusFilter(
    path: &'static str,
    options: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let status = move || query.read().get("status").unwrap_or_default();
    let links = options
        .iter()
        .map(|&(value, label)| {
            let href = if value.is_empty() {
                path.to_string()
            } else {
                format!("{path}?status={value}")
            };
            let current = move || (status() == value).then_some("page");
            view! { <a href=href class="filter" aria-current=current>{label}</a> }
        })
        .collect_view();
    view! { <nav class="filters" aria-label="Filter by status">{links}</nav> }
}

/// How an image upload went: the upload routes are plain multipart forms that redirect back
/// with `?{param}=saved`, `too-large`, `not-an-image`, `too-many-pixels`, `logo-size` or
/// `missing` (`Refusal::code`).
/// `noun` names what was saved, `types` and `limit` what the route accepts.
#[component]
pub fn UploadOutcome(
    param: &'static str,
    noun: &'static str,
    types: &'static str,
    limit: &'static str,
) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let alert = |text: String| view! { <p class="alert alert-error" role="alert">{text}</p> };
    move || {
        query.read().get(param).map(|outcome| match outcome.as_str() {
            "saved" => view! { <p class="alert alert-success" role="status">{format!("{noun} saved.")}</p> }
                .into_any(),
            "too-large" => alert(format!("That image is larger than {limit}.")).into_any(),
            "not-an-image" => alert(format!("Upload a {types} image.")).into_any(),
            "too-many-pixels" => alert(format!(
                "That image is more than {MAX_IMAGE_SIDE} pixels wide or high."
            ))
            .into_any(),
            "logo-size" => alert(
                "A logo needs 100 to 2000 pixels on its longer side.".to_string(),
            )
            .into_any(),
            _ => alert("Choose an image to upload.".to_string()).into_any(),
        })
    }
}

/// How a plain multipart upload went, from `?{param}=`: `saved` shows `saved` as a status;
/// any other code is a refusal, shown as the alert `refusal` makes of it.
#[component]
pub fn CodeOutcome(
    param: &'static str,
    saved: &'static str,
    refusal: fn(&str) -> String,
) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    move || {
        query.read().get(param).map(|code| {
            if code == "saved" {
                view! { <p class="alert alert-success" role="status">{saved}</p> }.into_any()
            } else {
                view! { <p class="alert alert-error" role="alert">{refusal(&code)}</p> }.into_any()
            }
        })
    }
}

/// Shows an error, announced to screen readers.
#[component]
pub fn FormAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|e| view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> })
    }
}

/// A success message, announced politely.
#[component]
pub fn FormNotice(#[prop(into)] show: Signal<bool>, message: &'static str) -> impl IntoView {
    move || {
        show.get()
            .then(|| view! { <p class="alert alert-success" role="status">{message}</p> })
    }
}

/// A labelled input. The id is derived from the form's name and the field's name, so
/// pages with several forms keep ids unique.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "")] form: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional, into)] value: Option<Signal<String>>,
    #[prop(default = 254)] maxlength: u32,
) -> impl IntoView {
    let id = if form.is_empty() {
        format!("field-{name}")
    } else {
        format!("{form}-{name}")
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                maxlength=maxlength
                required
                // An attribute, not the `value` property: hydration leaves what the person
                // typed before the page's script ran (setting the property wiped it).
                value=move || value.map(|v| v.get())
            />
        </div>
    }
}

/// A centred card holding one form.
#[component]
pub fn FormCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="card form-card">
            <h1>{title}</h1>
            {children()}
        </section>
    }
}

/// Sets the status of the server-rendered page (404 for missing pages and so on).
pub fn set_page_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(options), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        options.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_page_status(404);
    view! {
        <PageHead title="Page not found" description="The page you asked for does not exist."/>
        <section class="card">
            <h1>"Page not found"</h1>
            <p>"The page you asked for does not exist."</p>
            <p><a href="/">"Back to the catalog"</a></p>
        </section>
    }
}

/// Shown for a server function error while loading a page's data.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    let login = matches!(error, AppError(domain::error::Answer::Unauthorized));
    view! {
        <p class="alert alert-error" role="alert">{error.to_string()}</p>
        {login.then(|| view! { <p><a href="/login">"Log in"</a></p> })}
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A page's title (the site's name is added after it) and its description, the line a
/// search result shows under the title. Both are in the head the server sends.
#[component]
pub fn PageHead(
    #[prop(into)] title: TextProp,
    #[prop(into)] description: TextProp,
) -> impl IntoView {
    view! {
        <Title text=title/>
        <Meta name="description" content=description/>
    }
}
