//! The backend's error: what went wrong, with its cause chain.
//!
//! `Answer` is an answer for the client (`domain::error::Answer`: the one list of them, with
//! their messages); the rest are faults whose chain is logged where the error leaves the
//! backend (a plain handler's response here, or `AppError` at the server-function boundary),
//! and the client only reads "Something went wrong".

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
pub use domain::error::Answer;

/// What a `Busy` answer tells the client to wait, in seconds.
pub const BUSY_RETRY_AFTER_SECS: &str = "5";

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An answer for the client (a message naming the field, a missing permission).
    #[error(transparent)]
    Answer(#[from] Answer),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("session store error")]
    Session(#[from] tower_sessions::session::Error),
    #[error("object storage error")]
    Storage(#[from] object_store::Error),
    /// Background work that could not be done, for a reason the owner reads as it is
    /// (a media file ffprobe cannot read).
    #[error("{0}")]
    Unprocessable(String),
    /// Any other fault: what was being done, and why it failed.
    #[error("{context}")]
    Internal {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl From<domain::Invalid> for Error {
    fn from(invalid: domain::Invalid) -> Self {
        Self::Answer(invalid.into())
    }
}

/// A fault, with what was being done when it happened.
pub fn internal(
    context: &str,
    source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
) -> Error {
    Error::Internal {
        context: context.to_string(),
        source: source.into(),
    }
}

impl Error {
    pub fn validation(message: impl Into<String>) -> Self {
        Self::Answer(Answer::validation(message))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Answer(Answer::conflict(message))
    }

    /// A fault rather than an answer for the client.
    pub fn is_fault(&self) -> bool {
        !matches!(self, Self::Answer(_))
    }

    /// What the client is told: the answer, or `Internal` for a fault.
    pub fn answer(&self) -> Answer {
        match self {
            Self::Answer(answer) => answer.clone(),
            _ => Answer::Internal,
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.answer().status_code())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The whole cause chain on one line, for the log.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }

    /// Logs a fault with its chain; answers for the client are not logged.
    pub fn log(&self) {
        if self.is_fault() {
            tracing::error!(error = %self.chain(), "request failed");
        }
    }

    /// The error as the client reads it, in the JSON shape of the server functions' errors:
    /// `{"Validation": "..."}` or `"Forbidden"`.
    pub fn client_json(&self) -> serde_json::Value {
        serde_json::to_value(self.answer()).unwrap_or_else(|_| serde_json::json!("Internal"))
    }
}

/// For plain axum handlers: the status and the client's JSON; a fault is logged first.
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.log();
        let mut response = (self.status(), axum::Json(self.client_json())).into_response();
        if matches!(self, Self::Answer(Answer::Busy)) {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(BUSY_RETRY_AFTER_SECS),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_keep_their_chain_but_tell_the_client_nothing() {
        let error = internal("thumbnail not written", std::io::Error::other("disk full"));
        assert_eq!(error.chain(), "thumbnail not written: disk full");
        assert_eq!(error.client_json(), serde_json::json!("Internal"));
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(error.is_fault());
    }

    #[test]
    fn answers_keep_their_message() {
        let error = Error::from(domain::Invalid::new("Title is required."));
        assert_eq!(
            error.client_json(),
            serde_json::json!({ "Validation": "Title is required." })
        );
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert!(!Error::from(Answer::Forbidden).is_fault());
    }
}
