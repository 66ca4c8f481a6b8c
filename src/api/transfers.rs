//! Incoming transfers and check-in (`docs/api.md`, "Incoming transfers and check-in").

use budtags_wire::{CheckIn, CheckInResult};
use gloo_net::http::Method;

use super::{ApiError, send_json};

/// `GET /api/licenses/{license}/transfers/incoming`.
pub fn incoming_url(license: &str) -> String {
    format!("/api/licenses/{}/transfers/incoming", encode(license))
}

/// `GET /api/transfers/{id}`.
pub fn transfer_url(id: i64) -> String {
    format!("/api/transfers/{id}")
}

/// `POST /api/transfers/{id}/check-in`: one scan. The same `idempotency_key`
/// twice is one check-in (the answer then says `duplicate: true`).
pub async fn check_in(transfer_id: i64, body: &CheckIn) -> Result<CheckInResult, ApiError> {
    send_json(Method::POST, &format!("/api/transfers/{transfer_id}/check-in"), Some(body)).await
}

fn encode(segment: &str) -> String {
    js_sys::encode_uri_component(segment).into()
}
