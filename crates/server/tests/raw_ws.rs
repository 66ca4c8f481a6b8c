//! `GET /ws`: event envelopes over a plain WebSocket, with replay, for the
//! signed-in organization only.

mod common;

use budtags_wire::{EventEnvelope, RealtimeEvent};
use common::{
    LICENSE_ORG_1, LICENSE_ORG_2, Server, close_code, first_package, login, next_text, patch_quantity, ws_as,
};

async fn next_envelope(socket: &mut common::Socket) -> EventEnvelope {
    let text = next_text(socket).await;
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test]
async fn live_events_arrive_as_tagged_envelopes() {
    let server = Server::start().await;
    // From the start of the log, so the event arrives however soon the server subscribes.
    let session = login(&server.state, "viewer@greenleaf.test").await;
    let mut socket = ws_as(&server, &session, "?lastEventId=0").await;
    let package_id = first_package(&server.state, LICENSE_ORG_1).await;
    patch_quantity(&server.state, package_id, 7.0).await;
    let text = next_text(&mut socket).await;
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["id"], 1);
    assert_eq!(json["event"]["type"], "PACKAGE_UPDATE");
    let envelope: EventEnvelope = serde_json::from_value(json).unwrap();
    assert!(
        matches!(envelope.event, RealtimeEvent::PackageUpdate { package_id: id, .. } if id == package_id)
    );
}

#[tokio::test]
async fn a_reconnect_with_last_event_id_replays_what_was_missed() {
    let server = Server::start().await;
    let package_id = first_package(&server.state, LICENSE_ORG_1).await;
    for quantity in [3.0, 2.0, 1.0] {
        patch_quantity(&server.state, package_id, quantity).await;
    }
    let session = login(&server.state, "viewer@greenleaf.test").await;
    let mut socket = ws_as(&server, &session, "?lastEventId=1").await;
    // Three changes logged six events (package update + inventory delta each).
    for id in 2..=6 {
        assert_eq!(next_envelope(&mut socket).await.id, id, "replayed in order");
    }
    patch_quantity(&server.state, package_id, 0.5).await;
    assert_eq!(next_envelope(&mut socket).await.id, 7, "then live, without duplicates");
}

#[tokio::test]
async fn a_log_that_no_longer_reaches_back_asks_for_a_resync() {
    let server = Server::start().await;
    let package_id = first_package(&server.state, LICENSE_ORG_1).await;
    for quantity in [3.0, 2.0, 1.0] {
        patch_quantity(&server.state, package_id, quantity).await;
    }
    // Trim the log as if it had overflowed.
    server.state.store.call(|conn| Ok(conn.execute("DELETE FROM events WHERE id <= 2", [])?)).await.unwrap();
    let session = login(&server.state, "viewer@greenleaf.test").await;
    let mut socket = ws_as(&server, &session, "?lastEventId=0").await;
    assert_eq!(next_text(&mut socket).await, r#"{"type":"RESYNC"}"#);
    patch_quantity(&server.state, package_id, 0.5).await;
    // Three changes logged six events (package update + inventory delta each).
    assert_eq!(next_envelope(&mut socket).await.id, 7);
}

#[tokio::test]
async fn shutting_down_closes_the_stream_with_1001() {
    let server = Server::start().await;
    let package_id = first_package(&server.state, LICENSE_ORG_1).await;
    patch_quantity(&server.state, package_id, 7.0).await;
    let session = login(&server.state, "viewer@greenleaf.test").await;
    let mut socket = ws_as(&server, &session, "?lastEventId=0").await;
    // Once the replay arrives, the stream is running.
    assert_eq!(next_envelope(&mut socket).await.id, 1);
    server.state.events.disconnect_all();
    assert_eq!(close_code(&mut socket).await, Some(1001));
}

#[tokio::test]
async fn another_organizations_events_never_arrive_live_or_replayed() {
    let server = Server::start().await;
    let theirs = first_package(&server.state, LICENSE_ORG_2).await;
    let ours = first_package(&server.state, LICENSE_ORG_1).await;
    patch_quantity(&server.state, theirs, 3.0).await; // 1, 2: organization 2's
    let session = login(&server.state, "viewer@greenleaf.test").await;
    let mut socket = ws_as(&server, &session, "?lastEventId=0").await;
    patch_quantity(&server.state, theirs, 2.0).await; // 3, 4
    patch_quantity(&server.state, ours, 2.0).await; // 5, 6
    let first = next_envelope(&mut socket).await;
    assert_eq!(first.id, 5, "organization 2's events were neither replayed nor sent live");
    assert!(matches!(first.event, RealtimeEvent::PackageUpdate { package_id, .. } if package_id == ours));
}

#[tokio::test]
async fn without_a_session_the_upgrade_is_refused() {
    let server = Server::start().await;
    let refused = tokio_tungstenite::connect_async(server.ws_url("/ws")).await.unwrap_err();
    match refused {
        tokio_tungstenite::tungstenite::Error::Http(response) => assert_eq!(response.status(), 401),
        other => panic!("expected an HTTP 401, got {other}"),
    }
}
