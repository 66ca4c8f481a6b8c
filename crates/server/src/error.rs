//! The server's one error type. Every variant maps to exactly one status;
//! internal details are logged, never sent.

use std::{collections::BTreeMap, time::Duration};

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use budtags_wire::{ErrorBody, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request itself is malformed: a bad body, parameter or name.
    #[error("{0}")]
    BadRequest(String),
    /// A form field is at fault (400 with `fields`: field name → message).
    #[error("{message}")]
    Invalid { message: String, fields: BTreeMap<String, String> },
    /// No session, an expired one, or wrong credentials (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but this is not theirs to see or do (403), including a
    /// missing or wrong `X-CSRF-TOKEN`.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The path exists, but not for this method (405).
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The request body is over the size limit (413).
    #[error("{0}")]
    TooLarge(String),
    /// The change clashes with the current state (409).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts (failed sign-ins), or too many at once (password
    /// checks, replays): try again after `retry_after` (429 with a
    /// `Retry-After` header, in whole seconds).
    #[error("{message}")]
    RateLimited { message: String, retry_after: Duration },
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("background task: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// Hashing or reading a stored password hash failed (not a wrong password).
    #[error("password hashing: {0}")]
    Password(argon2::password_hash::Error),
    /// The operating system's random number generator failed.
    #[error("random numbers: {0}")]
    Random(getrandom::Error),
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::BadRequest(_) | Error::Invalid { .. } => ErrorCode::BadRequest,
            Error::Unauthorized(_) => ErrorCode::Unauthorized,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::MethodNotAllowed(_) => ErrorCode::MethodNotAllowed,
            Error::TooLarge(_) => ErrorCode::PayloadTooLarge,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::Database(_) | Error::Task(_) | Error::Password(_) | Error::Random(_) => {
                ErrorCode::Internal
            }
        }
    }

    pub fn status(&self) -> StatusCode {
        match self.code() {
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Invalid { message, fields } = self {
            return (StatusCode::BAD_REQUEST, Json(ErrorBody::invalid(message, fields))).into_response();
        }
        if let Error::RateLimited { message, retry_after } = self {
            // Rounded up, and at least a second: "0" would invite an immediate retry.
            let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            let retry = HeaderValue::from(seconds.max(1));
            let body = Json(ErrorBody::new(ErrorCode::RateLimited, message));
            return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry)], body).into_response();
        }
        let message = match &self {
            Error::BadRequest(m)
            | Error::Unauthorized(m)
            | Error::Forbidden(m)
            | Error::NotFound(m)
            | Error::MethodNotAllowed(m)
            | Error::TooLarge(m)
            | Error::Conflict(m) => m.clone(),
            Error::Invalid { message, .. } | Error::RateLimited { message, .. } => message.clone(),
            Error::Database(_) | Error::Task(_) | Error::Password(_) | Error::Random(_) => {
                tracing::error!(error = %self, "internal error");
                "Something went wrong on the server.".to_owned()
            }
        };
        (self.status(), Json(ErrorBody::new(self.code(), message))).into_response()
    }
}

impl Error {
    /// A 400 for one form field: `field` as named in the request body.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Error::Invalid { message: message.clone(), fields: BTreeMap::from([(field.to_owned(), message)]) }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_own_status() {
        let table = [
            (Error::BadRequest("x".into()), StatusCode::BAD_REQUEST),
            (Error::Unauthorized("x".into()), StatusCode::UNAUTHORIZED),
            (Error::Forbidden("x".into()), StatusCode::FORBIDDEN),
            (Error::NotFound("x".into()), StatusCode::NOT_FOUND),
            (Error::MethodNotAllowed("x".into()), StatusCode::METHOD_NOT_ALLOWED),
            (Error::TooLarge("x".into()), StatusCode::PAYLOAD_TOO_LARGE),
            (Error::Conflict("x".into()), StatusCode::CONFLICT),
            (Error::field("reason", "x"), StatusCode::BAD_REQUEST),
            (
                Error::RateLimited { message: "x".into(), retry_after: Duration::from_secs(1) },
                StatusCode::TOO_MANY_REQUESTS,
            ),
            (Error::Password(argon2::password_hash::Error::Password), StatusCode::INTERNAL_SERVER_ERROR),
        ];
        for (error, status) in table {
            assert_eq!(error.status(), status, "{error}");
        }
    }

    #[test]
    fn a_rate_limit_says_when_to_come_back_in_whole_seconds() {
        for (wait, header) in [
            (Duration::from_millis(1), "1"),
            (Duration::from_millis(1_500), "2"),
            (Duration::ZERO, "1"),
            (Duration::from_secs(900), "900"),
        ] {
            let response = Error::RateLimited { message: "Wait.".into(), retry_after: wait }.into_response();
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(response.headers()[header::RETRY_AFTER], header, "{wait:?}");
        }
    }

    #[tokio::test]
    async fn a_field_error_names_its_field_in_the_body() {
        use http_body_util::BodyExt;
        let response = Error::field("reason", "Give a reason.").into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body: ErrorBody = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body.error.fields.get("reason").map(String::as_str), Some("Give a reason."));
        assert_eq!(body.error.message, "Give a reason.");
    }
}
