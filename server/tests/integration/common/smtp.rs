//! Tests' mail to a real SMTP server: the sink (`server::smtp_sink`) and an app state whose
//! emails go to it.

use std::sync::Arc;

use backend::mail::{Mailer, Transport};
use backend::AppState;

pub use server::smtp_sink::{smtp_sink, SinkMode};

/// `state` with its emails sent to the SMTP server at `url`.
pub fn with_smtp(state: &AppState, url: &str) -> AppState {
    let mailer = Mailer::new(url, "Codex <no-reply@codex.test>").unwrap();
    AppState {
        mail: Some(Arc::new(Transport::Smtp(Box::new(mailer)))),
        ..state.clone()
    }
}
