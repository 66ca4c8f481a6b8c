//! Broadcasting through an external Pusher-protocol server: server A sends
//! every event to server B's trigger API (`POST /apps/{app_id}/events`), and a
//! Pusher socket on B receives it. Also the trigger API's own checks.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use budtags_pusher::{ServerMessage, TriggerBody, http_api};
use budtags_server::realtime::{Broadcast, ExternalServer, PusherApp, RealtimeSettings};
use budtags_server::{Limits, auth::AuthSettings};
use budtags_wire::{ErrorBody, RealtimeEvent};
use common::{
    LICENSE_ORG_1, PusherClient, Server, call, first_package, login, patch_quantity, pusher_app, state,
    state_with,
};

#[tokio::test]
async fn events_from_a_server_broadcasting_externally_arrive_on_the_pusher_server() {
    // Both know the one app, as an operator configures them, and it accepts
    // the backend's channel signatures (`--pusher-foreign-auth`).
    let app = PusherApp::random();
    let foreign = AuthSettings { foreign_channel_auth: true, ..AuthSettings::default() };
    let (pusher_state, dir) = state_with(RealtimeSettings::default().with_app(app.clone()));
    let pusher_server = Server::serve(pusher_state.with_auth(foreign), dir, Limits::default()).await;
    let external = ExternalServer {
        host: pusher_server.addr.ip().to_string(),
        port: pusher_server.addr.port(),
        tls: false,
    };
    let settings =
        RealtimeSettings::default().with_app(app.clone()).with_broadcast(Broadcast::External(external));
    let backend = Server::start_with(settings).await;

    // The browser signs in to the backend, and takes its signature to the Pusher server.
    let session = login(&backend.state, "approver@greenleaf.test").await;
    let mut client = PusherClient::connect(&pusher_server, &app.key).await;
    let channel = format!("private-license.{LICENSE_ORG_1}");
    client.subscribe_as(&backend.state, &session, &channel).await;

    let package_id = first_package(&backend.state, LICENSE_ORG_1).await;
    patch_quantity(&backend.state, package_id, 12.5).await;
    let ServerMessage::Event { channel: on, event, data, .. } = client.next().await else {
        panic!("expected an event")
    };
    assert_eq!(on, channel);
    let (decoded, event_id) = RealtimeEvent::from_pusher(&event, &data).unwrap();
    // The change logged the package update, then the inventory delta (on another channel).
    assert_eq!(event_id, Some(backend.state.events.head().await.unwrap() - 1));
    assert!(matches!(decoded, RealtimeEvent::PackageUpdate { package_id: id, .. } if id == package_id));
    // The Pusher server logged nothing of its own.
    assert_eq!(pusher_server.state.events.head().await.unwrap(), 0);
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn trigger_request(app: &PusherApp, body: &str, timestamp: u64) -> Request<Body> {
    let query = http_api::signed_events_query(&app.id, &app.key, &app.secret, body, timestamp);
    Request::post(format!("/apps/{}/events?{query}", app.id))
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn body(channel: &str) -> String {
    serde_json::to_string(&TriggerBody {
        name: "greeting".into(),
        channels: Some(vec![channel.into()]),
        channel: None,
        data: r#"{"hello":"world"}"#.into(),
        socket_id: None,
    })
    .unwrap()
}

#[tokio::test]
async fn a_signed_trigger_reaches_subscribed_sockets_verbatim() {
    let server = Server::start().await;
    let app = pusher_app(&server.state);
    let mut client = PusherClient::connect(&server, &app.key).await;
    client
        .send(budtags_pusher::ClientMessage::Subscribe {
            channel: "news".into(),
            auth: None,
            channel_data: None,
        })
        .await;
    client.next().await;
    let answer = call(&server.state, trigger_request(&app, &body("news"), now())).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, b"{}");
    let text = common::next_text(&mut client.socket).await;
    assert_eq!(text, r#"{"event":"greeting","channel":"news","data":"{\"hello\":\"world\"}"}"#);
}

#[tokio::test]
async fn unsigned_stale_or_misdirected_triggers_are_refused() {
    let (state, _dir) = state();
    let app = pusher_app(&state);
    let good = body("news");
    let wrong_secret = PusherApp { secret: "wrong-secret".into(), ..app.clone() };
    let old_default = PusherApp { secret: "budtags-secret".into(), ..app.clone() };
    let other_app = PusherApp { id: "other-app".into(), ..app.clone() };
    let cases = [
        (trigger_request(&wrong_secret, &good, now()), StatusCode::UNAUTHORIZED),
        (trigger_request(&old_default, &good, now()), StatusCode::UNAUTHORIZED),
        (trigger_request(&app, &good, now() - 3600), StatusCode::UNAUTHORIZED),
        (trigger_request(&other_app, &good, now()), StatusCode::NOT_FOUND),
        (trigger_request(&app, "{\"name\":1}", now()), StatusCode::BAD_REQUEST),
        (trigger_request(&app, &body("bad channel"), now()), StatusCode::BAD_REQUEST),
        (
            Request::post("/apps/budtags/events").body(Body::from(good.clone())).unwrap(),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (request, status) in cases {
        let answer = call(&state, request).await;
        assert_eq!(answer.status, status, "{}", String::from_utf8_lossy(&answer.body));
        answer.json::<ErrorBody>();
    }
    // Tampering with a signed body breaks the MD5 and so the signature.
    let mut tampered = trigger_request(&app, &good, now() - 1);
    *tampered.body_mut() = Body::from(body("other"));
    assert_eq!(call(&state, tampered).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_signed_trigger_is_accepted_once() {
    let server = Server::start().await;
    let app = pusher_app(&server.state);
    let mut client = PusherClient::connect(&server, &app.key).await;
    client
        .send(budtags_pusher::ClientMessage::Subscribe {
            channel: "news".into(),
            auth: None,
            channel_data: None,
        })
        .await;
    client.next().await;
    let (body, timestamp) = (body("news"), now());
    let first = call(&server.state, trigger_request(&app, &body, timestamp)).await;
    assert_eq!(first.status, StatusCode::OK);
    common::next_text(&mut client.socket).await;

    // The very same request again, as someone who captured it would send it.
    let again = call(&server.state, trigger_request(&app, &body, timestamp)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", String::from_utf8_lossy(&again.body));
    let error: ErrorBody = again.json();
    assert!(error.error.message.contains("already received"), "{}", error.error.message);
    // The same event signed afresh (another second) is a new request.
    let fresh = call(&server.state, trigger_request(&app, &body, timestamp + 1)).await;
    assert_eq!(fresh.status, StatusCode::OK);
    let text = common::next_text(&mut client.socket).await;
    assert!(text.contains("greeting"), "{text}");
}
