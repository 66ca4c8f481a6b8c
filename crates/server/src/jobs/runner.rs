//! Runs one label job on the server: one label at a time, with a pause per
//! label ([`crate::AppState::label_delay`]), publishing `JobProgressUpdated`
//! whenever the whole percentage changes (every label, for up to 100), then
//! `JobCompleted` with the sheet URL, or `JobFailed` with the reason, for
//! example a package finished since its label was approved.

use budtags_wire::{JobStatus, Label, RealtimeEvent};

use crate::{
    AppState, db,
    error::{Error, Result},
};

use super::sheet;

/// Where a completed job's sheet is served.
pub fn sheet_url(job_id: &str) -> String {
    format!("/api/jobs/{job_id}/sheet")
}

/// The progress after `done` of `total` labels, 0–100.
pub fn percent(done: usize, total: usize) -> u8 {
    (done * 100).checked_div(total).map_or(100, |p| p.min(100) as u8)
}

/// Starts `job_id` in the background.
pub fn spawn(state: AppState, job_id: String) {
    tokio::spawn(async move {
        if let Err(e) = run(&state, &job_id).await {
            tracing::error!(job_id, error = %e, "label job broke off");
            let message = "The server could not generate this sheet; retry it.".to_owned();
            if let Err(e) = finish(&state, &job_id, Err(message)).await {
                tracing::error!(job_id, error = %e, "cannot mark the label job failed");
            }
        }
    });
}

async fn run(state: &AppState, job_id: &str) -> Result<()> {
    let id = job_id.to_owned();
    let label_ids = state
        .events
        .change(move |tx, _now| {
            let job = db::jobs::update(tx, &id, JobStatus::Running, 0, None, None)?
                .ok_or_else(|| Error::NotFound(format!("No job {id}.")))?;
            let event = RealtimeEvent::JobProgressUpdated { job_id: id.clone(), progress: 0 };
            Ok((job.label_ids, vec![event]))
        })
        .await?;
    let total = label_ids.len();
    let mut labels = Vec::with_capacity(total);
    let mut shown = 0;
    for (done, label_id) in label_ids.into_iter().enumerate() {
        tokio::time::sleep(state.label_delay).await;
        match generate(state, label_id).await? {
            Ok(label) => labels.push(label),
            Err(reason) => return finish(state, job_id, Err(reason)).await,
        }
        let progress = percent(done + 1, total);
        if progress != shown && progress < 100 {
            shown = progress;
            let id = job_id.to_owned();
            state
                .events
                .change(move |tx, _now| {
                    db::jobs::update(tx, &id, JobStatus::Running, progress, None, None)?;
                    Ok(((), vec![RealtimeEvent::JobProgressUpdated { job_id: id.clone(), progress }]))
                })
                .await?;
        }
    }
    finish(state, job_id, Ok(sheet::render(job_id, &labels))).await
}

/// Reads one label as it is now; `Err(reason)` when it cannot be printed.
async fn generate(state: &AppState, label_id: i64) -> Result<Result<Label, String>> {
    state
        .store
        .call(move |conn| {
            let Some(label) = db::labels::find(conn, label_id)? else {
                return Ok(Err(format!("Label {label_id} no longer exists.")));
            };
            let package = db::packages::find(conn, label.package_id)?;
            if package.is_none_or(|p| p.package.is_finished) {
                return Ok(Err(format!(
                    "Package {} is finished; its label cannot be printed.",
                    label.package_label
                )));
            }
            Ok(Ok(label))
        })
        .await
}

/// Completes the job with its sheet, or fails it with a reason.
async fn finish(state: &AppState, job_id: &str, outcome: std::result::Result<String, String>) -> Result<()> {
    let id = job_id.to_owned();
    state
        .events
        .change(move |tx, _now| {
            let events = match outcome {
                Ok(html) => {
                    let url = sheet_url(&id);
                    db::jobs::store_sheet(tx, &id, &html)?;
                    db::jobs::update(tx, &id, JobStatus::Completed, 100, None, Some(&url))?;
                    vec![
                        RealtimeEvent::JobProgressUpdated { job_id: id.clone(), progress: 100 },
                        RealtimeEvent::JobCompleted { job_id: id.clone(), result_url: url },
                    ]
                }
                Err(error) => {
                    let progress = db::jobs::find(tx, &id)?.map_or(0, |o| o.job.progress);
                    db::jobs::update(tx, &id, JobStatus::Failed, progress, Some(&error), None)?;
                    vec![RealtimeEvent::JobFailed { job_id: id.clone(), error }]
                }
            };
            Ok(((), events))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_whole_percent_of_labels_done() {
        assert_eq!(percent(0, 3), 0);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(3, 3), 100);
        assert_eq!(percent(1, 500), 0);
        assert_eq!(percent(0, 0), 100);
    }
}
