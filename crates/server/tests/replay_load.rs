//! A flood of full-log replays must not stall the rest of the API: replays
//! read in pages off the writer connection, and only a few run at once.
//! Before, 200 full replays of a 10,000-event log made `GET /api/me` wait
//! up to 17 s (debug build, 2 cores); see docs/decisions.md.

mod common;

use std::{
    collections::BTreeMap,
    future::Future,
    time::{Duration, Instant},
};

use axum::http::StatusCode;
use budtags_server::{AppState, events::LOG_CAPACITY, routes};
use budtags_wire::RealtimeEvent;
use common::{Session, call, get, login, state};
use serde_json::Value;
use tower::ServiceExt;

/// How many full replays are fired at once.
const REPLAYS: usize = 200;
/// How long a sign-in check may take while they run.
const BOUND: Duration = Duration::from_secs(1);

/// A demo database whose event log is full: every event on organization 1's channel.
async fn full_log() -> (AppState, tempfile::TempDir, Session) {
    let (state, dir) = state();
    let events: Vec<RealtimeEvent> = (0..LOG_CAPACITY as i64)
        .map(|i| RealtimeEvent::LabelApproved { organization_id: 1, label_id: i, approved_by: "Ana".into() })
        .collect();
    state.events.change(move |_tx, _now| Ok(((), events))).await.unwrap();
    let session = login(&state, "viewer@greenleaf.test").await;
    (state, dir, session)
}

/// Runs `REPLAYS` copies of `replay` at once and, meanwhile, `GET /api/me`
/// over and over; returns the slowest `/api/me` and how the replays ended.
async fn worst_simple_request_during<F, Fut>(state: &AppState, session: &Session, replay: F) -> Duration
where
    F: Fn(AppState, Session) -> Fut,
    Fut: Future<Output = StatusCode> + Send + 'static,
{
    let started = Instant::now();
    let replays: Vec<_> =
        (0..REPLAYS).map(|_| tokio::spawn(replay(state.clone(), session.clone()))).collect();
    let mut worst = Duration::ZERO;
    let mut probes = 0;
    while replays.iter().any(|r| !r.is_finished()) {
        let asked = Instant::now();
        let answer = call(state, session.sign(get("/api/me"), false)).await;
        assert_eq!(answer.status, StatusCode::OK);
        worst = worst.max(asked.elapsed());
        probes += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut statuses = BTreeMap::<u16, usize>::new();
    for replay in replays {
        *statuses.entry(replay.await.unwrap().as_u16()).or_default() += 1;
    }
    assert!(statuses.keys().all(|s| [200, 429].contains(s)), "refused with 429 only: {statuses:?}");
    println!(
        "{REPLAYS} full replays of {LOG_CAPACITY} events took {:?}; {probes} probes of /api/me, \
         slowest {worst:?}; replay statuses {statuses:?}",
        started.elapsed()
    );
    worst
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simple_request_answers_in_time_during_two_hundred_full_http_replays() {
    let (state, _dir, session) = full_log().await;
    // Each replay follows the pages to the end of the log, as the app does.
    let worst = worst_simple_request_during(&state, &session, |state, session| async move {
        let mut after = 0;
        let mut events = 0;
        loop {
            let uri = format!("/api/events/replay?after={after}&channel=private-org.1");
            let answer = call(&state, session.sign(get(&uri), false)).await;
            if answer.status != StatusCode::OK {
                return answer.status;
            }
            let page: Value = answer.json();
            events += page["events"].as_array().unwrap().len();
            match (page["more"].as_bool(), page["nextAfter"].as_u64()) {
                (Some(true), Some(next)) => after = next,
                _ => break,
            }
        }
        assert_eq!(events, LOG_CAPACITY as usize, "the whole log, page by page");
        StatusCode::OK
    })
    .await;
    assert!(worst < BOUND, "GET /api/me took {worst:?} during the replays");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simple_request_answers_in_time_during_two_hundred_sse_replays() {
    let (state, _dir, session) = full_log().await;
    // `Last-Event-ID: 0` replays the whole log before the stream's headers
    // are sent; the stream itself is dropped at once.
    let worst = worst_simple_request_during(&state, &session, |state, session| async move {
        let mut request = session.sign(get("/api/events"), false);
        request.headers_mut().insert("last-event-id", "0".parse().unwrap());
        routes(state).oneshot(request).await.unwrap().status()
    })
    .await;
    assert!(worst < BOUND, "GET /api/me took {worst:?} during the replays");
}
