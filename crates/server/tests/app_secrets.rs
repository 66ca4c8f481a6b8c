//! The Pusher app secret is no longer a published default: a server started
//! as `main` starts it, with no flags, generates its key and secret on first
//! start and keeps them in its database. An outsider who signs with the old
//! default `budtags-secret` gets no private channel and triggers nothing.

mod common;

use std::{
    path::Path,
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{body::Body, http::Request, http::StatusCode};
use budtags_pusher::{ClientMessage, ServerMessage, auth, http_api};
use budtags_server::{
    AppState, Limits, Store,
    config::Config,
    realtime::{PusherApp, credentials::Source},
};
use clap::Parser;
use common::{PusherClient, Server, call};

/// Settings exactly as `main` makes them from no flags but `--database`.
async fn as_main_starts(path: &Path) -> (AppState, PusherApp) {
    let config = Config::parse_from(["budtags-server", "--database", path.to_str().unwrap()]);
    let store = Store::open(path, 40).unwrap();
    let (settings, credentials) = config.load_realtime(&store).await.unwrap();
    assert_eq!((credentials.key, credentials.secret), (Source::Generated, Source::Generated));
    let app = settings.app.clone();
    (AppState::with_realtime(store, settings), app)
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

#[tokio::test]
async fn a_fresh_server_refuses_signatures_made_with_the_old_default_secret() {
    let dir = tempfile::tempdir().unwrap();
    let (state, app) = as_main_starts(&dir.path().join("budtags.sqlite3")).await;
    assert_ne!(app.secret, "budtags-secret");
    assert_ne!(app.key, "budtags-key");
    let server = Server::serve(state, dir, Limits::default()).await;

    // The key is public (the app is told it); the outsider signs with the old secret.
    let mut outsider = PusherClient::connect(&server, &app.key).await;
    for channel in ["private-org.1", "private-org.2.inventory"] {
        let forged = auth::sign_private(&app.key, "budtags-secret", &outsider.socket_id, channel).unwrap();
        let old_key =
            auth::sign_private("budtags-key", "budtags-secret", &outsider.socket_id, channel).unwrap();
        for auth in [forged, old_key] {
            outsider
                .send(ClientMessage::Subscribe {
                    channel: channel.into(),
                    auth: Some(auth),
                    channel_data: None,
                })
                .await;
            let answer = outsider.next().await;
            assert!(matches!(answer, ServerMessage::Error { code: Some(4009), .. }), "{channel}: {answer:?}");
        }
    }

    // A forged "label approved" through the trigger API.
    let body = r#"{"name":"App\\Events\\LabelApproved","channel":"private-org.1","data":"{\"labelId\":1}"}"#;
    for key in [app.key.as_str(), "budtags-key"] {
        let query = http_api::signed_events_query(&app.id, key, "budtags-secret", body, now());
        let request = Request::post(format!("/apps/{}/events?{query}", app.id))
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        assert_eq!(call(&server.state, request).await.status, StatusCode::UNAUTHORIZED, "key {key}");
    }
}

#[tokio::test]
async fn the_generated_secret_survives_a_restart_and_differs_between_databases() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("budtags.sqlite3");
    let (state, first) = as_main_starts(&path).await;
    drop(state);
    let (_state, again) = as_main_starts(&path).await;
    assert_eq!(again, first, "same database, same key and secret");
    let (_other, other) = as_main_starts(&dir.path().join("other.sqlite3")).await;
    assert_ne!(other.key, first.key);
    assert_ne!(other.secret, first.secret);
}
