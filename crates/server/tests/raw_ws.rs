//! `GET /ws`: event envelopes over a plain WebSocket, with replay.

mod common;

use budtags_wire::{EventEnvelope, RealtimeEvent};
use common::{LICENSE_ORG_1, Server, close_code, first_package, next_text, patch_quantity};

async fn next_envelope(socket: &mut common::Socket) -> EventEnvelope {
    let text = next_text(socket).await;
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test]
async fn live_events_arrive_as_tagged_envelopes() {
    let server = Server::start().await;
    // From the start of the log, so the event arrives however soon the server subscribes.
    let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url("/ws?lastEventId=0")).await.unwrap();
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
    let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url("/ws?lastEventId=1")).await.unwrap();
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
    let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url("/ws?lastEventId=0")).await.unwrap();
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
    let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url("/ws?lastEventId=0")).await.unwrap();
    // Once the replay arrives, the stream is running.
    assert_eq!(next_envelope(&mut socket).await.id, 1);
    server.state.events.disconnect_all();
    assert_eq!(close_code(&mut socket).await, Some(1001));
}
