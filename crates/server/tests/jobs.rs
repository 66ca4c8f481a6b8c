//! Label jobs: an operator picks approved labels, the server generates the
//! sheet one label at a time with live progress, and the result is a printable
//! page of Code 128 barcodes; a failed job says why and can be retried.

mod common;

use std::time::Duration;

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use budtags_server::{AppState, Store, packages};
use budtags_wire::{ErrorBody, Job, JobStatus, Label, RealtimeEvent};
use common::{PATIENCE, Session, call, get, json_request, login};

fn fast_state() -> (AppState, tempfile::TempDir) {
    let (mut state, dir) = common::state();
    state.label_delay = Duration::from_millis(5);
    (state, dir)
}

async fn approved(state: &AppState, session: &Session) -> Vec<Label> {
    call(state, session.sign(get("/api/labels?status=approved"), false)).await.json()
}

fn new_job(ids: &[i64]) -> Request<Body> {
    json_request(Method::POST, "/api/jobs", serde_json::json!({"labelIds": ids}))
}

/// The job's events until it completes or fails.
async fn until_done(
    events: &mut tokio::sync::broadcast::Receiver<budtags_wire::EventEnvelope>,
    job: &str,
) -> Vec<RealtimeEvent> {
    let mut seen = Vec::new();
    loop {
        let envelope =
            tokio::time::timeout(PATIENCE, events.recv()).await.expect("the job ends in time").unwrap();
        let event = envelope.event;
        let ours = match &event {
            RealtimeEvent::JobProgressUpdated { job_id, .. }
            | RealtimeEvent::JobCompleted { job_id, .. }
            | RealtimeEvent::JobFailed { job_id, .. } => job_id == job,
            _ => false,
        };
        if !ours {
            continue;
        }
        let done = matches!(event, RealtimeEvent::JobCompleted { .. } | RealtimeEvent::JobFailed { .. });
        seen.push(event);
        if done {
            return seen;
        }
    }
}

#[tokio::test]
async fn a_job_reports_progress_and_completes_with_a_printable_sheet() {
    let (state, _dir) = fast_state();
    let operator = login(&state, "operator@greenleaf.test").await;
    let labels = approved(&state, &operator).await;
    let picked: Vec<i64> = labels.iter().take(4).map(|l| l.id).collect();
    let mut events = state.events.subscribe();
    let answer = call(&state, operator.sign(new_job(&picked), true)).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", String::from_utf8_lossy(&answer.body));
    let job: Job = answer.json();
    assert_eq!((job.status, job.progress, &job.label_ids), (JobStatus::Queued, 0, &picked));
    assert_eq!(job.created_by, "Omar Operator");

    let seen = until_done(&mut events, &job.id).await;
    let progress: Vec<u8> = seen
        .iter()
        .filter_map(|e| match e {
            RealtimeEvent::JobProgressUpdated { progress, .. } => Some(*progress),
            _ => None,
        })
        .collect();
    assert_eq!(progress, [0, 25, 50, 75, 100], "one update per label");
    let url = format!("/api/jobs/{}/sheet", job.id);
    assert!(
        matches!(seen.last(), Some(RealtimeEvent::JobCompleted { result_url, .. }) if *result_url == url)
    );

    let done: Job = call(&state, operator.sign(get(&format!("/api/jobs/{}", job.id)), false)).await.json();
    assert_eq!(
        (done.status, done.progress, done.result_url.as_deref()),
        (JobStatus::Completed, 100, Some(url.as_str()))
    );
    let listed: Vec<Job> = call(&state, operator.sign(get("/api/jobs"), false)).await.json();
    assert_eq!(listed[0].id, job.id, "newest first");

    let sheet = call(&state, operator.sign(get(&url), false)).await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert_eq!(sheet.headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let html = String::from_utf8(sheet.body).unwrap();
    let copies: u32 = labels.iter().take(4).map(|l| l.copies).sum();
    assert_eq!(html.matches("<svg class=\"barcode\"").count() as u32, copies, "one barcode per copy");
    for label in labels.iter().take(4) {
        assert!(html.contains(&format!("aria-label=\"Code 128 barcode {}\"", label.package_label)));
    }
    let download = call(&state, operator.sign(get(&format!("{url}?download=1")), false)).await;
    let disposition = download.headers[header::CONTENT_DISPOSITION].to_str().unwrap().to_owned();
    assert_eq!(disposition, format!("attachment; filename=\"labels-{}.html\"", job.id));

    let sierra = login(&state, "viewer@sierra.test").await;
    assert_eq!(call(&state, sierra.sign(get(&url), false)).await.status, StatusCode::NOT_FOUND);
    let answer = call(&state, sierra.sign(get(&format!("/api/jobs/{}", job.id)), false)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_approved_labels_of_the_organization_and_only_operators() {
    let (state, _dir) = fast_state();
    let operator = login(&state, "operator@greenleaf.test").await;
    let pending: Vec<Label> = call(&state, operator.sign(get("/api/labels"), false)).await.json();
    let sam = login(&state, "approver@sierra.test").await;
    let theirs = approved(&state, &sam).await[0].id;
    let ours = approved(&state, &operator).await[0].id;
    for ids in [vec![], vec![pending[0].id], vec![ours, theirs], vec![999_999]] {
        let answer = call(&state, operator.sign(new_job(&ids), true)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{ids:?}");
        assert!(answer.json::<ErrorBody>().error.fields.contains_key("labelIds"), "{ids:?}");
    }
    let viewer = login(&state, "viewer@greenleaf.test").await;
    let answer = call(&state, viewer.sign(new_job(&[ours]), true)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&state, operator.sign(new_job(&[ours]), false)).await.status, StatusCode::FORBIDDEN);
    let jobs: Vec<Job> = call(&state, operator.sign(get("/api/jobs"), false)).await.json();
    assert_eq!(jobs.len(), 1, "only the demo job: nothing was half-written");
}

#[tokio::test]
async fn a_finished_package_fails_the_job_and_a_retry_after_restoring_it_completes() {
    let (state, _dir) = fast_state();
    let operator = login(&state, "operator@greenleaf.test").await;
    let labels = approved(&state, &operator).await;
    let finished = &labels[1];
    packages::adjust_quantity(&state, finished.package_id, 0.0, "Test").await.unwrap();
    let mut events = state.events.subscribe();
    let ids = [labels[0].id, finished.id, labels[2].id];
    let job: Job = call(&state, operator.sign(new_job(&ids), true)).await.json();
    let seen = until_done(&mut events, &job.id).await;
    let expected = format!("Package {} is finished; its label cannot be printed.", finished.package_label);
    assert!(
        matches!(seen.last(), Some(RealtimeEvent::JobFailed { error, .. }) if *error == expected),
        "{seen:?}"
    );
    let failed: Job = call(&state, operator.sign(get(&format!("/api/jobs/{}", job.id)), false)).await.json();
    assert_eq!((failed.status, failed.error.as_deref()), (JobStatus::Failed, Some(expected.as_str())));
    let sheet = call(&state, operator.sign(get(&format!("/api/jobs/{}/sheet", job.id)), false)).await;
    assert_eq!(sheet.status, StatusCode::CONFLICT);

    packages::adjust_quantity(&state, finished.package_id, 3.0, "Test").await.unwrap();
    let retry = || Request::post(format!("/api/jobs/{}/retry", job.id)).body(Body::empty()).unwrap();
    let answer = call(&state, operator.sign(retry(), true)).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED);
    assert_eq!(answer.json::<Job>().status, JobStatus::Queued);
    let seen = until_done(&mut events, &job.id).await;
    assert!(matches!(seen.last(), Some(RealtimeEvent::JobCompleted { .. })), "{seen:?}");

    let answer = call(&state, operator.sign(retry(), true)).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(
        answer.json::<ErrorBody>().error.message,
        "Only a failed job can be retried; this one is completed."
    );
}

#[tokio::test]
async fn a_job_cut_short_by_a_restart_is_failed_and_the_demo_job_has_a_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("restart.sqlite3");
    let store = Store::open(&path, 40).unwrap();
    store
        .call(|conn| {
            conn.execute(
                "INSERT INTO jobs (id, organization_id, status, progress, created_at)
                 VALUES ('job-cut', 1, 'running', 40, '2026-11-26T10:00:00+00:00')",
                [],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    drop(store);
    let state = AppState::new(Store::open(&path, 40).unwrap());
    let operator = login(&state, "operator@greenleaf.test").await;
    let job: Job = call(&state, operator.sign(get("/api/jobs/job-cut"), false)).await.json();
    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(job.error.as_deref(), Some("The server restarted while this job ran; retry it."));

    let demo: Job = call(&state, operator.sign(get("/api/jobs/demo-1"), false)).await.json();
    assert_eq!(demo.result_url.as_deref(), Some("/api/jobs/demo-1/sheet"));
    assert!(!demo.label_ids.is_empty());
    let sheet = call(&state, operator.sign(get("/api/jobs/demo-1/sheet"), false)).await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert!(
        sheet.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("unsafe-hashes"),
        "the sheet keeps its own policy"
    );
    assert!(String::from_utf8(sheet.body).unwrap().contains("<svg class=\"barcode\""));
}
