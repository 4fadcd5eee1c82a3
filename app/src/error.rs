//! The one error type every server function returns.
//!
//! Clients only ever see these messages. Unexpected failures become `Internal`, whose
//! message is generic; the details go to the log on the server.

use domain::error::Answer;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A server function's error: one of `domain::error::Answer` (the one list of answers, with
/// their messages and statuses), in its JSON shape (`{"Validation": "..."}`, `"Forbidden"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(transparent)]
#[error(transparent)]
pub struct AppError(pub Answer);

impl AppError {
    pub fn validation(message: impl Into<String>) -> Self {
        Self(Answer::validation(message))
    }

    pub fn status_code(&self) -> u16 {
        self.0.status_code()
    }
}

impl From<Answer> for AppError {
    fn from(answer: Answer) -> Self {
        Self(answer)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            // The request did not carry the arguments the function takes.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => {
                Self::validation("The form was incomplete or malformed.")
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => {
                Self::validation("Could not reach the server. Check your connection.")
            }
            _ => Self(Answer::Internal),
        };
        // On the server this runs when a request's arguments do not parse: a 400, not a 500.
        #[cfg(feature = "ssr")]
        set_error_status(&error);
        error
    }
}

impl From<domain::Invalid> for AppError {
    fn from(invalid: domain::Invalid) -> Self {
        Self(invalid.into())
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;

    /// The backend's error as the client reads it; a fault's chain goes to the log here,
    /// with the request's span (and so its request id).
    impl From<backend::Error> for AppError {
        fn from(error: backend::Error) -> Self {
            error.log();
            Self(error.answer())
        }
    }
}

/// Gives a server function's error its HTTP status (400, 401, 403, ...) instead of the
/// default 500. Plain form posts without JavaScript keep the redirect back to the form,
/// which carries the error in the URL.
#[cfg(feature = "ssr")]
pub fn respond<T, E: Into<AppError>>(result: Result<T, E>) -> Result<T, AppError> {
    let result = result.map_err(Into::into);
    if let Err(error) = &result {
        set_error_status(error);
    }
    result
}

/// Whether a request asks for HTML: a plain form post or a page, not a server function
/// called from the hydrated page.
#[cfg(feature = "ssr")]
pub fn accepts_html(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

#[cfg(feature = "ssr")]
fn set_error_status(error: &AppError) {
    use leptos::prelude::use_context;
    let plain_form_post = use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.method == http::Method::POST && accepts_html(&parts.headers));
    if plain_form_post {
        return;
    }
    if let (Some(options), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(error.status_code()),
    ) {
        options.set_status(status);
    }
}
