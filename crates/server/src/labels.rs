//! Labels awaiting approval, scoped to the signed-in organization:
//! - `GET /api/labels?status=pending|approved|rejected`: oldest request first.
//! - `POST /api/labels/{id}/approve`, `POST /api/labels/{id}/reject` with
//!   [`Rejection`]: staff approvers only. A label no longer pending is a 409
//!   that says who decided it. Events `LabelApproved` / `LabelRejected` on `org.{id}`.

use axum::{
    Json, Router,
    extract::{
        Path, Query, State,
        rejection::{JsonRejection, QueryRejection},
    },
    http::HeaderMap,
    routing::{get, post},
};
use budtags_wire::{Label, LabelStatus, RealtimeEvent, Rejection};
use serde::Deserialize;

use crate::{
    AppState,
    auth::CurrentUser,
    db::{self, labels::Decision},
    error::{Error, Result},
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
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<Label>>> {
    let Query(query) = query.map_err(|e| Error::BadRequest(e.body_text()))?;
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

fn require_approver(user: &CurrentUser, headers: &HeaderMap) -> Result<()> {
    user.require_csrf(headers)?;
    if user.account.role.can_decide_labels() {
        Ok(())
    } else {
        Err(Error::Forbidden("Only staff approvers can approve or reject labels.".into()))
    }
}

async fn approve(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<Label>> {
    require_approver(&user, &headers)?;
    decide(&state, &user, id, LabelStatus::Approved, None).await.map(Json)
}

async fn reject(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Result<Json<Rejection>, JsonRejection>,
) -> Result<Json<Label>> {
    require_approver(&user, &headers)?;
    let Json(rejection) = body.map_err(|e| match e {
        // A body without a reason is the form's empty field.
        JsonRejection::JsonDataError(_) => Error::field("reason", "Give a reason for rejecting this label."),
        other => Error::BadRequest(other.body_text()),
    })?;
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
