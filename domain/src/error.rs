//! What a failed request tells its client: the one list of answers, each with its message
//! and HTTP status. The backend's `Error::Answer` carries one; a server function's
//! `AppError` is one on the wire (`{"Validation": "..."}` or `"Forbidden"`). Faults are
//! `Internal`: their details stay in the server's log.

use serde::{Deserialize, Serialize};

use crate::Invalid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Answer {
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
    /// A fault; what it was is only in the server's log.
    #[error("Something went wrong. Please try again.")]
    Internal,
}

impl Answer {
    pub fn validation(message: impl Into<String>) -> Self {
        Self::Validation(message.into())
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    pub fn status_code(&self) -> u16 {
        match self {
            Self::Validation(_) | Self::InvalidToken => 400,
            Self::InvalidCredentials | Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict(_) => 409,
            Self::RateLimited => 429,
            Self::Busy => 503,
            Self::Internal => 500,
        }
    }
}

impl From<Invalid> for Answer {
    fn from(invalid: Invalid) -> Self {
        Self::Validation(invalid.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_have_their_status_and_message() {
        assert_eq!(Answer::NotFound.status_code(), 404);
        assert_eq!(Answer::validation("Title is required.").status_code(), 400);
        assert_eq!(
            Answer::from(Invalid::new("Title is required.")).to_string(),
            "Title is required."
        );
        assert_eq!(
            Answer::Internal.to_string(),
            "Something went wrong. Please try again."
        );
    }
}
