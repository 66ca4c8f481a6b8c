//! The server's one error type. Every variant maps to exactly one status;
//! internal details are logged, never sent.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use budtags_wire::{ErrorBody, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("background task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::BadRequest(_) => ErrorCode::BadRequest,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Database(_) | Error::Task(_) => ErrorCode::Internal,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self.code() {
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let message = match &self {
            Error::BadRequest(m) | Error::NotFound(m) => m.clone(),
            Error::Database(_) | Error::Task(_) => {
                tracing::error!(error = %self, "internal error");
                "Something went wrong on the server.".to_owned()
            }
        };
        (self.status(), Json(ErrorBody::new(self.code(), message))).into_response()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
