//! The built-in Pusher endpoint over a real socket, as pusher-js speaks it.

mod common;

use budtags_pusher::{ClientMessage, ServerMessage, message::MAX_MESSAGE_BYTES};
use budtags_wire::RealtimeEvent;
use common::{
    LICENSE_ORG_1, PusherClient, Server, close_code, first_package, login, patch_quantity, pusher_app,
};
use serde_json::json;

#[tokio::test]
async fn an_unknown_app_key_is_refused_with_4001() {
    let server = Server::start().await;
    let url = server.ws_url("/app/not-our-key?protocol=7");
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let error = ServerMessage::decode(&common::next_text(&mut socket).await).unwrap();
    assert!(matches!(error, ServerMessage::Error { code: Some(4001), .. }), "{error:?}");
    assert_eq!(close_code(&mut socket).await, Some(4001));
}

#[tokio::test]
async fn subscribing_needs_a_valid_signature() {
    let server = Server::start().await;
    let session = login(&server.state, "operator@greenleaf.test").await;
    let mut client = PusherClient::connect(&server, &pusher_app(&server.state).key).await;
    client.subscribe_as(&server.state, &session, "private-org.1").await;

    // A signature for another socket, or made up, is refused like Reverb does.
    let app = pusher_app(&server.state);
    let other_socket =
        budtags_pusher::auth::sign_private(&app.key, &app.secret, "1.1", "private-org.2").unwrap();
    let forged = format!("{}:{}", app.key, "ab".repeat(32));
    // What an outsider could make when the README published the default secret.
    let old_default =
        budtags_pusher::auth::sign_private(&app.key, "budtags-secret", &client.socket_id, "private-org.2")
            .unwrap();
    for auth in [other_socket, forged, old_default] {
        client
            .send(ClientMessage::Subscribe {
                channel: "private-org.2".into(),
                auth: Some(auth),
                channel_data: None,
            })
            .await;
        assert!(matches!(client.next().await, ServerMessage::Error { code: Some(4009), .. }));
    }
    // Public channels need nothing.
    client
        .send(ClientMessage::Subscribe { channel: "announcements".into(), auth: None, channel_data: None })
        .await;
    assert_eq!(
        client.next().await,
        ServerMessage::SubscriptionSucceeded { channel: "announcements".into(), presence: None }
    );
}

#[tokio::test]
async fn ping_pong_and_malformed_frames_keep_the_connection_open() {
    let server = Server::start().await;
    let mut client = PusherClient::connect(&server, &pusher_app(&server.state).key).await;
    client.send(ClientMessage::Ping).await;
    assert_eq!(client.next().await, ServerMessage::Pong);
    for bad in [
        "this is not json".to_owned(),
        json!({"event": "pusher:subscribe", "data": {"nochannel": true}}).to_string(),
        json!({"event": "made:up"}).to_string(),
        json!({"event": "client-typing", "channel": "private-org.1", "data": {}}).to_string(),
    ] {
        client.send_text(bad.clone()).await;
        assert!(matches!(client.next().await, ServerMessage::Error { .. }), "{bad}");
    }
    client.send(ClientMessage::Ping).await;
    assert_eq!(client.next().await, ServerMessage::Pong, "still open");
}

#[tokio::test]
async fn an_oversized_frame_closes_the_connection_with_1009() {
    let server = Server::start().await;
    let mut client = PusherClient::connect(&server, &pusher_app(&server.state).key).await;
    let padding = "x".repeat(MAX_MESSAGE_BYTES);
    client.send_text(json!({"event": "pusher:ping", "data": {"padding": padding}}).to_string()).await;
    assert!(matches!(client.next().await, ServerMessage::Error { code: Some(1009), .. }));
    assert_eq!(close_code(&mut client.socket).await, Some(1009));
}

#[tokio::test]
async fn a_package_change_arrives_on_its_license_channel_with_its_event_id() {
    let server = Server::start().await;
    let state = &server.state;
    let session = login(state, "viewer@greenleaf.test").await;
    let mut client = PusherClient::connect(&server, &pusher_app(&server.state).key).await;
    let channel = format!("private-license.{LICENSE_ORG_1}");
    client.subscribe_as(state, &session, &channel).await;
    client.subscribe_as(state, &session, "private-org.1").await;
    client.send(ClientMessage::Unsubscribe { channel: "private-org.1".into() }).await;

    let package_id = first_package(state, LICENSE_ORG_1).await;
    patch_quantity(state, package_id, 4.25).await;
    // The change logged its package update, then its inventory delta on `org.1.inventory`.
    let head = state.events.head().await.unwrap() - 1;
    let ServerMessage::Event { channel: on, event, data, .. } = client.next().await else {
        panic!("expected an event")
    };
    assert_eq!((on.as_str(), event.as_str()), (channel.as_str(), r"App\Events\PackageUpdated"));
    assert_eq!(data["eventId"].as_u64(), Some(head));
    let (decoded, event_id) = RealtimeEvent::from_pusher(&event, &data).unwrap();
    assert_eq!(event_id, Some(head));
    let RealtimeEvent::PackageUpdate { package_id: id, data: package, .. } = decoded else {
        panic!("expected a package update")
    };
    assert_eq!((id, package.quantity), (package_id, 4.25));
}

#[tokio::test]
async fn shutting_down_closes_pusher_sockets_with_1001() {
    let server = Server::start().await;
    let mut client = PusherClient::connect(&server, &pusher_app(&server.state).key).await;
    client.send(ClientMessage::Ping).await;
    assert_eq!(client.next().await, ServerMessage::Pong);
    server.state.events.disconnect_all();
    assert_eq!(close_code(&mut client.socket).await, Some(1001));
}
