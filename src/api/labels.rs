//! Label approvals (`docs/api.md`, "Labels").

use budtags_wire::{Label, LabelStatus, Rejection};
use gloo_net::http::Method;

use super::{ApiError, send_json};

/// `GET /api/labels?status=…`.
pub fn labels_url(status: LabelStatus) -> String {
    format!("/api/labels?status={}", status.as_str())
}

/// `POST /api/labels/{id}/approve` (approvers only).
pub async fn approve(id: i64) -> Result<Label, ApiError> {
    send_json::<(), Label>(Method::POST, &format!("/api/labels/{id}/approve"), None).await
}

/// `POST /api/labels/{id}/reject` with the required reason (approvers only).
pub async fn reject(id: i64, reason: String) -> Result<Label, ApiError> {
    send_json(Method::POST, &format!("/api/labels/{id}/reject"), Some(&Rejection { reason })).await
}
