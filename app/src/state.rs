//! The backend's state inside a server function (the server provides it as context).

use backend::{AppState, Error};
use leptos::prelude::use_context;

pub fn app_state() -> Result<AppState, Error> {
    use_context::<AppState>().ok_or_else(|| {
        backend::error::internal(
            "AppState missing from the server function context",
            "no context",
        )
    })
}
