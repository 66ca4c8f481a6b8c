//! Signing in and out, and who is signed in.

use budtags_wire::{Credentials, Me};
use gloo_net::http::Method;

use super::{ApiError, get_json, send_empty, send_json};

pub const LOGIN_URL: &str = "/api/login";
pub const LOGOUT_URL: &str = "/api/logout";
pub const ME_URL: &str = "/api/me";

/// `POST /api/login`: the signed-in person, or `Unauthorized` for a wrong
/// e-mail/password, or `Invalid` with field errors for an empty field.
pub async fn login(credentials: &Credentials) -> Result<Me, ApiError> {
    send_json(Method::POST, LOGIN_URL, Some(credentials)).await
}

/// `POST /api/logout`: ends the session on the server.
pub async fn logout() -> Result<(), ApiError> {
    send_empty::<()>(Method::POST, LOGOUT_URL, None).await
}

/// `GET /api/me`: who holds this browser's session (`Unauthorized` if nobody).
pub async fn me() -> Result<Me, ApiError> {
    get_json(ME_URL).await
}
