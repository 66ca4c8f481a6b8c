//! Label jobs, scoped to the signed-in organization:
//! - `GET /api/jobs`: newest first, at most 50.
//! - `POST /api/jobs` with [`NewJob`]: 1–500 approved labels of the
//!   organization; 202 with the queued job, which [`runner`] then runs.
//! - `GET /api/jobs/{id}`; `POST /api/jobs/{id}/retry` (a failed job only).
//! - `GET /api/jobs/{id}/sheet[?download=1]`: the printable sheet ([`sheet`]),
//!   409 until the job completed.
//!
//! - [`barcode`]: Code 128 as inline SVG; [`sheet`]: the HTML page;
//!   [`runner`]: the background task.

pub mod barcode;
pub mod runner;
pub mod sheet;

use std::collections::HashSet;

use axum::{
    Router,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use budtags_wire::{Job, JobStatus, LabelStatus, NewJob};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{CurrentUser, Operator},
    db::{self, jobs::OwnedJob},
    error::{Error, Result},
    extract::{Json, Path, Query},
};

/// The most labels one job may print.
pub const MAX_LABELS: usize = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(list).post(create))
        .route("/jobs/{id}", get(show))
        .route("/jobs/{id}/retry", post(retry))
        .route("/jobs/{id}/sheet", get(sheet_page))
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<Job>>> {
    let organization_id = user.account.organization_id;
    Ok(Json(state.store.call(move |conn| Ok(db::jobs::list(conn, organization_id)?)).await?))
}

/// Job `id` if `organization_id` owns it; 404 otherwise.
fn owned_job(conn: &rusqlite::Connection, id: &str, organization_id: i64) -> Result<OwnedJob> {
    db::jobs::find(conn, id)?
        .filter(|owned| owned.organization_id == organization_id)
        .ok_or_else(|| Error::NotFound(format!("No label job {id}.")))
}

async fn show(State(state): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> Result<Json<Job>> {
    let organization_id = user.account.organization_id;
    let owned = state.store.call(move |conn| owned_job(conn, &id, organization_id)).await?;
    Ok(Json(owned.job))
}

fn labels_field(message: impl Into<String>) -> Error {
    Error::field("labelIds", message)
}

/// The label ids in order, without repeats, if there are 1–[`MAX_LABELS`].
pub fn valid_label_ids(ids: &[i64]) -> Result<Vec<i64>> {
    let mut seen = HashSet::new();
    let ids: Vec<i64> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    if ids.is_empty() {
        return Err(labels_field("Select at least one approved label."));
    }
    if ids.len() > MAX_LABELS {
        return Err(labels_field(format!("A sheet holds at most {MAX_LABELS} labels; select fewer.")));
    }
    Ok(ids)
}

fn new_job_id() -> String {
    format!("job-{:012x}", fastrand::u64(..) & 0xffff_ffff_ffff)
}

async fn create(
    State(state): State<AppState>,
    Operator(user): Operator,
    Json(body): Json<NewJob>,
) -> Result<Response> {
    let ids = valid_label_ids(&body.label_ids)?;
    let organization_id = user.account.organization_id;
    let by = user.account.name.clone();
    let id = new_job_id();
    let job = state
        .events
        .change(move |tx, now| {
            for label_id in &ids {
                match db::labels::find(tx, *label_id)? {
                    Some(label)
                        if label.organization_id == organization_id
                            && label.status == LabelStatus::Approved => {}
                    _ => {
                        return Err(labels_field(format!(
                            "Label {label_id} is not an approved label of your organization."
                        )));
                    }
                }
            }
            Ok((db::jobs::create(tx, &id, organization_id, &ids, &by, now)?, Vec::new()))
        })
        .await?;
    runner::spawn(state.clone(), job.id.clone());
    Ok((StatusCode::ACCEPTED, Json(job)).into_response())
}

async fn retry(
    State(state): State<AppState>,
    Operator(user): Operator,
    Path(id): Path<String>,
) -> Result<Response> {
    let organization_id = user.account.organization_id;
    let job = state
        .events
        .change(move |tx, _now| {
            let owned = owned_job(tx, &id, organization_id)?;
            if owned.job.status != JobStatus::Failed {
                return Err(Error::Conflict(format!(
                    "Only a failed job can be retried; this one is {}.",
                    db::jobs::status_name(owned.job.status)
                )));
            }
            let job = db::jobs::update(tx, &id, JobStatus::Queued, 0, None, None)?
                .expect("the job was just read in this transaction");
            Ok((job, Vec::new()))
        })
        .await?;
    runner::spawn(state.clone(), job.id.clone());
    Ok((StatusCode::ACCEPTED, Json(job)).into_response())
}

#[derive(Deserialize)]
struct SheetQuery {
    download: Option<String>,
}

async fn sheet_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<SheetQuery>,
) -> Result<Response> {
    let organization_id = user.account.organization_id;
    let job_id = id.clone();
    let html = state
        .store
        .call(move |conn| {
            let owned = owned_job(conn, &job_id, organization_id)?;
            if owned.job.status != JobStatus::Completed {
                return Err(Error::Conflict(format!(
                    "The label sheet is not ready: the job is {}.",
                    db::jobs::status_name(owned.job.status)
                )));
            }
            if let Some(html) = db::jobs::sheet(conn, &job_id)? {
                return Ok(html);
            }
            // Demo jobs completed before sheets were stored: draw it from their labels.
            let mut labels = Vec::new();
            for label_id in owned.job.label_ids {
                labels.extend(db::labels::find(conn, label_id)?);
            }
            Ok(sheet::render(&job_id, &labels))
        })
        .await?;
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(sheet::POLICY)),
        ],
        html,
    )
        .into_response();
    if matches!(query.download.as_deref(), Some("1" | "true")) {
        let disposition = HeaderValue::from_str(&format!("attachment; filename=\"labels-{id}.html\""))
            .map_err(|_| Error::BadRequest("Job ids are letters, digits and dashes.".into()))?;
        response.headers_mut().insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_ids_are_deduplicated_and_bounded() {
        assert_eq!(valid_label_ids(&[3, 1, 3]).unwrap(), vec![3, 1]);
        assert!(matches!(valid_label_ids(&[]), Err(Error::Invalid { .. })));
        let many: Vec<i64> = (0..501).collect();
        assert!(matches!(valid_label_ids(&many), Err(Error::Invalid { .. })));
        assert!(valid_label_ids(&many[..500]).is_ok());
    }
}
