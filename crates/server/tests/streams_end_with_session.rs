//! Live streams end with their session (issue 11, finding 5): after
//! sign-out, a new sign-in in the same browser, or expiry, an SSE stream,
//! a `/ws` socket and a Pusher socket's private channels stop delivering.

mod common;

use std::time::Duration;

use axum::{body::Body, http::StatusCode};
use budtags_pusher::ServerMessage;
use budtags_server::{
    AppState,
    auth::{AuthSettings, session::SessionPolicy},
    routes,
};
use common::{
    LICENSE_ORG_1, PATIENCE, PusherClient, Server, Session, call, close_code, first_package, get, login,
    next_text, patch_quantity, post_json, pusher_app, state, ws_as,
};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

async fn sign_out(state: &AppState, session: &Session) {
    let answer = call(state, session.sign(post_json("/api/logout", json!({})), false)).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
}

async fn sse(state: &AppState, session: &Session) -> Body {
    let response = routes(state.clone()).oneshot(session.sign(get("/api/events"), false)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.into_body()
}

/// The events (`id:` lines) that arrive within `wait`, and whether the stream ended.
async fn events_within(body: &mut Body, wait: Duration) -> (usize, bool) {
    let deadline = tokio::time::Instant::now() + wait;
    let mut events = 0;
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return (events, false),
            Ok(None) => return (events, true),
            Ok(Some(frame)) => {
                if let Ok(data) = frame.unwrap().into_data() {
                    events += String::from_utf8_lossy(&data).lines().filter(|l| l.starts_with("id:")).count();
                }
            }
        }
    }
}

/// Five package changes in organization 1.
async fn five_changes(state: &AppState) {
    let package_id = first_package(state, LICENSE_ORG_1).await;
    for n in 0..5 {
        patch_quantity(state, package_id, 10.0 + f64::from(n)).await;
    }
}

#[tokio::test]
async fn signing_out_ends_an_open_event_stream() {
    let (state, _dir) = state();
    let session = login(&state, "viewer@greenleaf.test").await;
    let mut stream = sse(&state, &session).await;
    assert_eq!(events_within(&mut stream, Duration::from_millis(300)).await, (1, false), "ready");

    sign_out(&state, &session).await;
    five_changes(&state).await;
    let (delivered, ended) = events_within(&mut stream, PATIENCE).await;
    assert_eq!(delivered, 0, "nothing after sign-out");
    assert!(ended, "the stream ends");
}

#[tokio::test]
async fn an_event_stream_ends_when_its_session_expires() {
    let (state, _dir) = state();
    let sessions = SessionPolicy { ttl: Duration::from_secs(2), ..SessionPolicy::default() };
    let state = state.with_auth(AuthSettings { sessions, ..AuthSettings::default() });
    let session = login(&state, "viewer@greenleaf.test").await;
    let mut stream = sse(&state, &session).await;
    let started = std::time::Instant::now();
    let (_, ended) = events_within(&mut stream, PATIENCE).await;
    assert!(ended, "the stream ends at the session's expiry");
    assert!(started.elapsed() <= Duration::from_secs(4), "{:?}", started.elapsed());
}

#[tokio::test]
async fn signing_out_closes_an_open_websocket_with_1008() {
    let server = Server::start().await;
    let session = login(&server.state, "viewer@greenleaf.test").await;
    let mut socket = ws_as(&server, &session, "?lastEventId=0").await;
    let package_id = first_package(&server.state, LICENSE_ORG_1).await;
    patch_quantity(&server.state, package_id, 7.0).await;
    next_text(&mut socket).await;

    sign_out(&server.state, &session).await;
    five_changes(&server.state).await;
    assert_eq!(close_code(&mut socket).await, Some(1008), "closed, with nothing delivered before it");
}

#[tokio::test]
async fn signing_in_again_in_that_browser_closes_the_old_sessions_websocket() {
    let server = Server::start().await;
    let session = login(&server.state, "viewer@greenleaf.test").await;
    let mut socket = ws_as(&server, &session, "").await;
    let again = call(
        &server.state,
        session.sign(
            post_json("/api/login", json!({"email": "approver@greenleaf.test", "password": "budtags"})),
            false,
        ),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(close_code(&mut socket).await, Some(1008));
}

#[tokio::test]
async fn signing_out_ends_the_pusher_channels_that_session_authorized() {
    let server = Server::start().await;
    let state = &server.state;
    let session = login(state, "viewer@greenleaf.test").await;
    let mut client = PusherClient::connect(&server, &pusher_app(&server.state).key).await;
    client.subscribe_as(state, &session, &format!("private-license.{LICENSE_ORG_1}")).await;
    client.subscribe_as(state, &session, "private-org.1").await;

    sign_out(state, &session).await;
    five_changes(state).await;
    let next = client.next().await;
    assert!(
        matches!(next, ServerMessage::Error { code: Some(4009), .. }),
        "the next frame is the error, no event: {next:?}"
    );
    assert_eq!(close_code(&mut client.socket).await, Some(4009));
}

#[tokio::test]
async fn a_signature_kept_from_before_sign_out_no_longer_subscribes() {
    let server = Server::start().await;
    let state = &server.state;
    let session = login(state, "viewer@greenleaf.test").await;
    let mut client = PusherClient::connect(&server, &pusher_app(&server.state).key).await;
    let answer =
        call(state, session.sign(common::channel_auth_request(&client.socket_id, "private-org.1"), true))
            .await;
    let auth: budtags_pusher::AuthResponse = answer.json();
    sign_out(state, &session).await;
    client
        .send(budtags_pusher::ClientMessage::Subscribe {
            channel: "private-org.1".into(),
            auth: Some(auth.auth),
            channel_data: None,
        })
        .await;
    assert!(matches!(client.next().await, ServerMessage::Error { code: Some(4009), .. }));
}

#[tokio::test]
async fn a_websocket_closes_when_its_session_expires() {
    let sessions = SessionPolicy { ttl: Duration::from_secs(2), ..SessionPolicy::default() };
    let server = Server::start_with_auth(AuthSettings { sessions, ..AuthSettings::default() }).await;
    let session = login(&server.state, "viewer@greenleaf.test").await;
    let mut socket = ws_as(&server, &session, "").await;
    assert_eq!(close_code(&mut socket).await, Some(1008));
}
