//! The API's request extractors: axum's [`Json`], [`Query`], [`Path`] and
//! [`Form`] with one rejection, [`Error`], so a malformed request is answered
//! with the JSON error body like every other error. axum's own rejections are
//! `text/plain` and repeat parts of the input.
//!
//! Handlers take these instead of axum's; [`Json`] also answers as axum's does.
//! Messages name what was wrong, never the value sent (it is a path, query or
//! body a person did not type; and serde's wording of a value is no message).

use axum::{
    extract::{
        FromRequest, FromRequestParts,
        path::ErrorKind,
        rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection},
    },
    http::StatusCode,
    response::{IntoResponse, Response},
};

use crate::error::Error;

/// A JSON body (`Content-Type: application/json`), or a JSON 400/413.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// The query string, or a JSON 400.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct Query<T>(pub T);

/// Path parameters, or a JSON 400 (`/api/packages/abc`).
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Error))]
pub struct Path<T>(pub T);

/// A form body (`application/x-www-form-urlencoded`), or a JSON 400/413.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Form), rejection(Error))]
pub struct Form<T>(pub T);

/// A body over the size limit (413), or one that could not be read in time.
fn unreadable_body(status: StatusCode) -> Error {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Error::TooLarge("The request body is too large.".into())
    } else {
        Error::BadRequest("The request body could not be read (too slow, or cut off).".into())
    }
}

impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => Error::BadRequest(format!(
                "The JSON body has the wrong shape: {}",
                serde_reason(&e.body_text())
            )),
            JsonRejection::JsonSyntaxError(_) => {
                Error::BadRequest("The request body is not valid JSON.".into())
            }
            JsonRejection::MissingJsonContentType(_) => {
                Error::BadRequest("Send the body as JSON, with Content-Type: application/json.".into())
            }
            JsonRejection::BytesRejection(e) => unreadable_body(e.status()),
            // The enum is non-exhaustive; a new kind is still a bad request.
            other => unreadable_body(other.status()),
        }
    }
}

impl From<QueryRejection> for Error {
    fn from(rejection: QueryRejection) -> Self {
        Error::BadRequest(format!("The query string is not valid: {}", serde_reason(&rejection.body_text())))
    }
}

impl From<FormRejection> for Error {
    fn from(rejection: FormRejection) -> Self {
        match rejection {
            FormRejection::InvalidFormContentType(_) => Error::BadRequest(
                "Send the body as a form, with Content-Type: application/x-www-form-urlencoded.".into(),
            ),
            FormRejection::BytesRejection(e) => unreadable_body(e.status()),
            other => {
                Error::BadRequest(format!("The form is not valid: {}", serde_reason(&other.body_text())))
            }
        }
    }
}

impl From<PathRejection> for Error {
    fn from(rejection: PathRejection) -> Self {
        let PathRejection::FailedToDeserializePathParams(e) = rejection else {
            return Error::NotFound("No such API endpoint.".into());
        };
        match e.into_kind() {
            ErrorKind::ParseErrorAtKey { key, expected_type, .. } => {
                Error::BadRequest(format!("The {key} in this address must be {}.", described(expected_type)))
            }
            ErrorKind::ParseErrorAtIndex { expected_type, .. }
            | ErrorKind::ParseError { expected_type, .. } => {
                Error::BadRequest(format!("This address must hold {}.", described(expected_type)))
            }
            ErrorKind::InvalidUtf8InPathParam { key } => {
                Error::BadRequest(format!("The {key} in this address is not valid UTF-8."))
            }
            _ => Error::BadRequest("This address is not valid.".into()),
        }
    }
}

/// A Rust type name as a person would say it.
fn described(type_name: &str) -> &'static str {
    match type_name {
        "i64" | "i32" | "u64" | "u32" | "usize" => "a whole number (a package, transfer or label id)",
        "f64" | "f32" => "a number",
        _ => "a valid value",
    }
}

/// What serde said, without the string values it quotes: `invalid type:
/// string "…", expected f64 at line 1 column 14` keeps its shape, not the
/// string; field names (in backticks) stay. At most 200 characters.
pub fn serde_reason(text: &str) -> String {
    // axum prefixes its own sentence ("Failed to deserialize …: ").
    let reason = text.split_once(": ").map_or(text, |(_, rest)| rest);
    let mut out = String::with_capacity(reason.len().min(200));
    let mut quoted = false;
    for c in reason.chars() {
        match c {
            '"' if !quoted => {
                quoted = true;
                out.push_str("\"…");
            }
            '"' => {
                quoted = false;
                out.push('"');
            }
            _ if quoted => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
        if out.len() >= 200 {
            out.push('…');
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_reasons_keep_their_shape_not_the_values() {
        let text = r#"Failed to deserialize the JSON body into the target type: Quantity: invalid type: string "<script>alert(1)</script>", expected f64 at line 1 column 40"#;
        let reason = serde_reason(text);
        assert!(!reason.contains("<script>"), "{reason}");
        assert!(reason.contains("expected f64"), "{reason}");
        assert!(serde_reason("missing field `reason`").contains("missing field"));
        assert!(serde_reason(&"x".repeat(1_000)).chars().count() <= 201);
    }

    #[test]
    fn number_types_read_as_words() {
        assert!(described("i64").starts_with("a whole number"));
        assert_eq!(described("String"), "a valid value");
    }
}
