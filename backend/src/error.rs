//! The backend's error: what went wrong, with its cause chain.
//!
//! The variants above `Database` are answers for the client (a message naming the field, a
//! missing permission); the rest are faults whose chain is logged where the error leaves the
//! backend (a plain handler's response here, or `AppError` at the server-function boundary),
//! and the client only reads "Something went wrong".

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// What a `Busy` answer tells the client to wait, in seconds.
pub const BUSY_RETRY_AFTER_SECS: &str = "5";

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that does not pass validation; the message names the field.
    #[error("{0}")]
    Validation(String),
    #[error("Invalid email or password.")]
    InvalidCredentials,
    #[error("Please log in to continue.")]
    Unauthorized,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("This link is invalid or has expired.")]
    InvalidToken,
    #[error("Too many attempts. Please try again later.")]
    RateLimited,
    /// The server is at its limit for this kind of work; the client may retry shortly.
    #[error("The server is busy. Please try again in a moment.")]
    Busy,
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
        Self::Validation(invalid.0)
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
        Self::Validation(message.into())
    }

    /// A fault rather than an answer for the client.
    pub fn is_fault(&self) -> bool {
        matches!(
            self,
            Self::Database(_)
                | Self::Session(_)
                | Self::Storage(_)
                | Self::Unprocessable(_)
                | Self::Internal { .. }
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::InvalidToken => StatusCode::BAD_REQUEST,
            Self::InvalidCredentials | Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
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
        use serde_json::json;
        match self {
            Self::Validation(message) => json!({ "Validation": message }),
            Self::Conflict(message) => json!({ "Conflict": message }),
            Self::InvalidCredentials => json!("InvalidCredentials"),
            Self::Unauthorized => json!("Unauthorized"),
            Self::Forbidden => json!("Forbidden"),
            Self::NotFound => json!("NotFound"),
            Self::InvalidToken => json!("InvalidToken"),
            Self::RateLimited => json!("RateLimited"),
            Self::Busy => json!("Busy"),
            _ => json!("Internal"),
        }
    }
}

/// For plain axum handlers: the status and the client's JSON; a fault is logged first.
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.log();
        let mut response = (self.status(), axum::Json(self.client_json())).into_response();
        if matches!(self, Self::Busy) {
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
        assert!(!Error::Forbidden.is_fault());
    }
}
