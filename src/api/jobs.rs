//! Label jobs (`docs/api.md`, "Label jobs").

use budtags_wire::{Job, NewJob};
use gloo_net::http::Method;

use super::{ApiError, send_json};

pub const JOBS_URL: &str = "/api/jobs";

/// `GET /api/jobs/{id}`.
pub fn job_url(id: &str) -> String {
    format!("/api/jobs/{}", encode(id))
}

/// The printable label sheet of a completed job; `download` asks for an attachment.
pub fn sheet_url(id: &str, download: bool) -> String {
    let base = format!("/api/jobs/{}/sheet", encode(id));
    if download { format!("{base}?download=1") } else { base }
}

/// `POST /api/jobs`: queue a label sheet for these approved labels.
pub async fn create(label_ids: Vec<i64>) -> Result<Job, ApiError> {
    send_json(Method::POST, JOBS_URL, Some(&NewJob { label_ids })).await
}

/// `POST /api/jobs/{id}/retry`: queue a failed job again.
pub async fn retry(id: &str) -> Result<Job, ApiError> {
    send_json::<(), Job>(Method::POST, &format!("/api/jobs/{}/retry", encode(id)), None).await
}

fn encode(segment: &str) -> String {
    js_sys::encode_uri_component(segment).into()
}
