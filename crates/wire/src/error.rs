//! The JSON error body: `{"error": {"code": "...", "message": "..."}}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Machine-readable error kinds. Each maps to exactly one HTTP status on the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    /// The path exists, but not for this method (405).
    MethodNotAllowed,
    Conflict,
    /// The request body is over the size limit (413).
    PayloadTooLarge,
    RateLimited,
    /// The server holds as many connections as it may (503); retry shortly.
    Unavailable,
    Internal,
}

/// The body of every error response from `/api`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// A sentence a person can read; never internal details.
    pub message: String,
    /// Per-field messages for a form (field name as in the request body).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { error: ErrorDetail { code, message: message.into(), fields: BTreeMap::new() } }
    }

    /// A bad request with a message per field.
    pub fn invalid(message: impl Into<String>, fields: BTreeMap<String, String>) -> Self {
        Self { error: ErrorDetail { code: ErrorCode::BadRequest, message: message.into(), fields } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_the_documented_shape() {
        let body = ErrorBody::new(ErrorCode::NotFound, "No license X.");
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(json, r#"{"error":{"code":"not_found","message":"No license X."}}"#);
    }
}
