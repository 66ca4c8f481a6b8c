//! Liveness: SSE and `/ws` streams send a heartbeat the app can see, so a
//! connection frozen on the way (a half-open TCP connection through a NAT
//! or proxy) is noticed by its silence (issue 12).

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use budtags_server::RealtimeSettings;
use budtags_wire::{RealtimeConfig, SSE_HEARTBEAT, WS_HEARTBEAT};
use common::{Server, Session, call, get, login, ws_as};
use futures_util::StreamExt;
use http_body_util::BodyExt;
use tokio_tungstenite::tungstenite::Message;

const EVERY: Duration = Duration::from_millis(300);

async fn server() -> (Server, Session) {
    let server = Server::start_with(RealtimeSettings::default().with_heartbeat(EVERY)).await;
    let session = login(&server.state, "viewer@greenleaf.test").await;
    (server, session)
}

#[tokio::test]
async fn the_app_is_told_how_often_to_expect_a_heartbeat() {
    let (server, session) = server().await;
    let answer = call(&server.state, session.sign(get("/api/realtime/config"), false)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json::<RealtimeConfig>().heartbeat_ms, 300);
    let defaults = Server::start().await;
    let answer = call(&defaults.state, get("/api/realtime/config")).await;
    assert_eq!(answer.json::<RealtimeConfig>().heartbeat_ms, 15_000, "15 s unless configured");
}

#[tokio::test]
async fn a_quiet_websocket_hears_a_heartbeat_at_once_and_then_every_interval() {
    let (server, session) = server().await;
    let mut socket = ws_as(&server, &session, "").await;
    let start = Instant::now();
    let mut beats = Vec::new();
    while beats.len() < 4 {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next()).await.expect("a frame");
        match frame.expect("open").expect("readable") {
            Message::Text(text) => {
                assert_eq!(text.as_str(), WS_HEARTBEAT, "nothing else happens on a quiet server");
                beats.push(start.elapsed());
            }
            other => panic!("expected a heartbeat, got {other:?}"),
        }
    }
    assert!(beats[0] < EVERY / 2, "the first one comes at once: {beats:?}");
    for pair in beats.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap > EVERY / 2 && gap < EVERY * 3, "one per interval: {beats:?}");
    }
}

#[tokio::test]
async fn a_quiet_event_stream_carries_named_heartbeat_events() {
    let (server, session) = server().await;
    let response = budtags_server::routes(server.state.clone());
    let response =
        tower::ServiceExt::oneshot(response, session.sign(get("/api/events"), false)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + EVERY * 4;
    while let Ok(Some(frame)) = tokio::time::timeout_at(deadline, body.frame()).await {
        if let Ok(data) = frame.unwrap().into_data() {
            text.push_str(&String::from_utf8_lossy(&data));
        }
    }
    let beats = text.lines().filter(|l| *l == format!("event: {SSE_HEARTBEAT}")).count();
    assert!((2..=5).contains(&beats), "about one per 300 ms in 1.2 s, got {beats}: {text}");
    assert!(text.starts_with("event: ready"), "the stream still opens with ready: {text}");
}
