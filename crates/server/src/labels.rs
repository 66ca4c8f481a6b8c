//! Labels awaiting approval, scoped to the signed-in organization:
//! - `GET /api/labels?status=pending|approved|rejected`: oldest request first.
//! - `POST /api/labels/{id}/approve`, `POST /api/labels/{id}/reject` with
//!   [`Rejection`](budtags_wire::Rejection): staff approvers only. A label no longer pending is a 409
//!   that says who decided it, unless it is the same person's same decision
//!   again (a replay: answered as the first time, with no second event). Events `LabelApproved` / `LabelRejected` on `org.{id}`.

use axum::{
    Router,
    extract::State,
    routing::{get, post},
};
use budtags_wire::{Label, LabelStatus, RealtimeEvent};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{Approver, CurrentUser},
    db::{self, labels::Decision},
    error::{Error, Result},
    extract::{Json, Path, Query},
};

/// The longest rejection reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/labels", get(list))
        .route("/labels/{id}/approve", post(approve))
        .route("/labels/{id}/reject", post(reject))
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<Label>>> {
    let status = match query.status.as_deref() {
        None => LabelStatus::Pending,
        Some(text) => text.parse().map_err(Error::BadRequest)?,
    };
    let organization_id = user.account.organization_id;
    let labels = state.store.call(move |conn| Ok(db::labels::list(conn, organization_id, status)?)).await?;
    Ok(Json(labels))
}

/// The reason trimmed, if it is 1–[`MAX_REASON_CHARS`] characters.
pub fn valid_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::field("reason", "Give a reason for rejecting this label."));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Error::field("reason", format!("Keep the reason to {MAX_REASON_CHARS} characters.")));
    }
    Ok(reason.to_owned())
}

async fn approve(
    State(state): State<AppState>,
    Approver(user): Approver,
    Path(id): Path<i64>,
) -> Result<Json<Label>> {
    decide(&state, &user, id, LabelStatus::Approved, None).await.map(Json)
}

/// [`budtags_wire::Rejection`] as sent: a body without a reason is the form's empty field.
#[derive(Deserialize)]
struct RejectionBody {
    #[serde(default)]
    reason: String,
}

async fn reject(
    State(state): State<AppState>,
    Approver(user): Approver,
    Path(id): Path<i64>,
    Json(rejection): Json<RejectionBody>,
) -> Result<Json<Label>> {
    let reason = valid_reason(&rejection.reason)?;
    decide(&state, &user, id, LabelStatus::Rejected, Some(reason)).await.map(Json)
}

async fn decide(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    status: LabelStatus,
    reason: Option<String>,
) -> Result<Label> {
    let organization_id = user.account.organization_id;
    let by = user.account.name.clone();
    state
        .events
        .change(move |tx, now| {
            let missing = || Error::NotFound(format!("No label {id}."));
            let label = db::labels::find(tx, id)?.ok_or_else(missing)?;
            if label.organization_id != organization_id {
                return Err(missing());
            }
            // The same person's same decision again (an outbox replaying a
            // request whose answer was lost) is that decision, not a conflict.
            if label.status == status
                && label.decided_by.as_deref() == Some(by.as_str())
                && label.reason == reason
            {
                return Ok((label, Vec::new()));
            }
            if label.status != LabelStatus::Pending {
                let who = label.decided_by.as_deref().unwrap_or("someone else");
                return Err(Error::Conflict(format!(
                    "This label was already {} by {who}.",
                    label.status.as_str()
                )));
            }
            let decision = Decision { status, by: &by, reason: reason.as_deref() };
            let label = db::labels::decide(tx, id, &decision, now)?.ok_or_else(missing)?;
            let event = match status {
                LabelStatus::Rejected => RealtimeEvent::LabelRejected {
                    organization_id,
                    label_id: id,
                    rejected_by: by.clone(),
                    reason: reason.clone().unwrap_or_default(),
                },
                LabelStatus::Approved | LabelStatus::Pending => {
                    RealtimeEvent::LabelApproved { organization_id, label_id: id, approved_by: by.clone() }
                }
            };
            Ok((label, vec![event]))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required_and_bounded() {
        assert!(matches!(valid_reason("   "), Err(Error::Invalid { .. })));
        assert!(matches!(valid_reason(&"x".repeat(501)), Err(Error::Invalid { .. })));
        assert_eq!(valid_reason("  Wrong weight. ").unwrap(), "Wrong weight.");
        assert_eq!(valid_reason(&"é".repeat(500)).unwrap().chars().count(), 500);
    }
}
