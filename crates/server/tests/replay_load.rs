//! A flood of full-log replays must not stall the rest of the API: replays
//! read in pages off the writer connection, and only a few run at once.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use budtags_server::events::LOG_CAPACITY;
use budtags_wire::RealtimeEvent;
use common::{call, get, login, state};

/// How many full replays are fired at once.
const REPLAYS: usize = 200;
/// How long a sign-in check may take while they run.
const BOUND: Duration = Duration::from_secs(1);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simple_request_answers_in_time_during_two_hundred_full_replays() {
    let (state, _dir) = state();
    // A full log: every event on organization 1's channel.
    let events: Vec<RealtimeEvent> = (0..LOG_CAPACITY as i64)
        .map(|i| RealtimeEvent::LabelApproved { organization_id: 1, label_id: i, approved_by: "Ana".into() })
        .collect();
    state.events.change(move |_tx, _now| Ok(((), events))).await.unwrap();
    let session = login(&state, "viewer@greenleaf.test").await;

    let started = Instant::now();
    let replays: Vec<_> = (0..REPLAYS)
        .map(|_| {
            let (state, session) = (state.clone(), session.clone());
            tokio::spawn(async move {
                let answer = call(
                    &state,
                    session.sign(get("/api/events/replay?after=0&channel=private-org.1"), false),
                )
                .await;
                answer.status
            })
        })
        .collect();

    // Meanwhile, `GET /api/me` over and over until the replays are done.
    let mut worst = Duration::ZERO;
    let mut probes = 0;
    while replays.iter().any(|r| !r.is_finished()) {
        let asked = Instant::now();
        let answer = call(&state, session.sign(get("/api/me"), false)).await;
        assert_eq!(answer.status, StatusCode::OK);
        worst = worst.max(asked.elapsed());
        probes += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for replay in replays {
        *statuses.entry(replay.await.unwrap().as_u16()).or_default() += 1;
    }
    println!(
        "{REPLAYS} full replays of {LOG_CAPACITY} events took {:?}; {probes} probes of /api/me, slowest {worst:?}; statuses {statuses:?}",
        started.elapsed()
    );
    assert!(worst < BOUND, "GET /api/me took {worst:?} during the replays");
}
