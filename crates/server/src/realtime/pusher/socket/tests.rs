//! A whole connection driven through channels, with paused time.

use std::{convert::Infallible, sync::Arc, time::Duration};

use axum::extract::ws::Message;
use budtags_pusher::{ServerMessage, auth};
use budtags_wire::{EventEnvelope, RealtimeEvent};
use futures_channel::mpsc;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::{Notify, broadcast};

use super::{Connection, serve};
use crate::{
    auth::{
        live::{LiveSessions, Session},
        session::{SessionId, SessionPolicy, SessionTimes},
        unix_now,
    },
    db::{self, Store},
    realtime::{pusher::hub::TriggerHub, settings::PusherApp},
};

/// The app every test connection belongs to.
fn app() -> PusherApp {
    PusherApp { id: "budtags".into(), key: "test-key".into(), secret: "test-secret".into() }
}

const SOCKET: &str = "111.222";

struct Client {
    to_server: mpsc::Sender<Result<Message, Infallible>>,
    from_server: mpsc::Receiver<Message>,
    events: broadcast::Sender<EventEnvelope>,
    /// Kept so the socket's triggered-events source stays open.
    _hub: TriggerHub,
    shutdown: Arc<Notify>,
    done: tokio::task::JoinHandle<()>,
    sessions: Arc<LiveSessions>,
    store: Store,
    _dir: tempfile::TempDir,
}

impl Client {
    /// A client whose socket may hold no channel for an hour (other tests' timers stay apart).
    fn start() -> Client {
        Self::start_with(Duration::from_secs(3_600))
    }

    fn start_with(subscription_timeout: Duration) -> Client {
        let (to_server, stream) = mpsc::channel(16);
        let (sink, from_server) = mpsc::channel(16);
        let events = broadcast::channel(16).0;
        let hub = TriggerHub::default();
        let shutdown = Arc::new(Notify::new());
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("test.sqlite3"), 2).unwrap();
        let sessions = Arc::new(LiveSessions::new(store.clone(), SessionPolicy::default(), false));
        let connection = Connection {
            app: app(),
            socket_id: SOCKET.into(),
            activity_timeout: Duration::from_secs(30),
            subscription_timeout,
            events: events.subscribe(),
            triggered: hub.subscribe(),
            sessions: sessions.clone(),
        };
        let notify = shutdown.clone();
        let done = tokio::spawn(serve(sink, stream, connection, async move { notify.notified().await }));
        Client { to_server, from_server, events, _hub: hub, shutdown, done, sessions, store, _dir: dir }
    }

    /// A session of user 1 (organization 1) that authorised this socket for `channel`.
    async fn grant(&self, channel: &str) -> Session {
        let now = unix_now();
        let session = Session {
            id: SessionId::of("t"),
            times: SessionTimes { expires_at: now + 3600, last_seen_at: now },
        };
        let hash = session.id.to_hex();
        self.store
            .call(move |c| Ok(db::users::create_session(c, &hash, 1, "csrf", now, now + 3600)?))
            .await
            .unwrap();
        self.sessions.grant(session, SOCKET, channel, std::time::Instant::now()).unwrap();
        session
    }

    async fn send(&mut self, text: &str) {
        self.to_server.send(Ok(Message::Text(text.into()))).await.unwrap();
    }

    async fn next(&mut self) -> Message {
        self.from_server.next().await.expect("the server sent something")
    }

    async fn next_message(&mut self) -> ServerMessage {
        match self.next().await {
            Message::Text(text) => ServerMessage::decode(text.as_str()).unwrap(),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    async fn next_close_code(&mut self) -> u16 {
        match self.next().await {
            Message::Close(Some(frame)) => frame.code,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// Real time: a claimed grant's session end waits on the wall clock.
#[tokio::test]
async fn a_connection_subscribes_pings_and_receives_its_events() {
    let mut client = Client::start();
    assert_eq!(
        client.next_message().await,
        ServerMessage::ConnectionEstablished { socket_id: SOCKET.into(), activity_timeout: 30 }
    );
    client.send(r#"{"event":"pusher:ping","data":{}}"#).await;
    assert_eq!(client.next_message().await, ServerMessage::Pong);

    let app = app();
    let signature = auth::sign_private(&app.key, &app.secret, SOCKET, "private-org.1").unwrap();
    let subscribe =
        json!({"event": "pusher:subscribe", "data": {"channel": "private-org.1", "auth": signature}});
    client.send(&subscribe.to_string()).await;
    assert!(
        matches!(client.next_message().await, ServerMessage::Error { code: Some(4009), .. }),
        "a valid signature alone is not enough: no signed-in session asked for it"
    );
    let session = client.grant("private-org.1").await;
    client.send(&subscribe.to_string()).await;
    assert_eq!(
        client.next_message().await,
        ServerMessage::SubscriptionSucceeded { channel: "private-org.1".into(), presence: None }
    );

    let other_org = RealtimeEvent::LabelApproved { organization_id: 2, label_id: 1, approved_by: "x".into() };
    let own_org = RealtimeEvent::LabelApproved { organization_id: 1, label_id: 7, approved_by: "Ana".into() };
    client.events.send(EventEnvelope { id: 1, event: other_org }).unwrap();
    client.events.send(EventEnvelope { id: 2, event: own_org }).unwrap();
    let ServerMessage::Event { channel, event, data, .. } = client.next_message().await else {
        panic!("expected an event")
    };
    assert_eq!((channel.as_str(), event.as_str()), ("private-org.1", r"App\Events\LabelApproved"));
    assert_eq!((data["labelId"].as_i64(), data["eventId"].as_u64()), (Some(7), Some(2)));

    client.send("not json").await;
    assert!(matches!(client.next_message().await, ServerMessage::Error { code: None, .. }));
    client.send(r#"{"event":"pusher:ping"}"#).await;
    assert_eq!(client.next_message().await, ServerMessage::Pong, "still open after a malformed frame");

    // Signing out ends the channel that session authorised, and the socket.
    client.sessions.end(session.id);
    assert!(matches!(client.next_message().await, ServerMessage::Error { code: Some(4009), .. }));
    assert_eq!(client.next_close_code().await, 4009);
}

#[tokio::test(start_paused = true)]
async fn a_silent_client_is_pinged_then_closed_with_4201() {
    let mut client = Client::start();
    client.next_message().await;
    let started = tokio::time::Instant::now();
    assert_eq!(client.next_message().await, ServerMessage::Ping);
    assert_eq!(started.elapsed(), Duration::from_secs(30));
    assert_eq!(client.next_close_code().await, 4201);
    assert_eq!(started.elapsed(), Duration::from_secs(60));
    client.done.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_socket_that_never_subscribes_is_closed_with_4202() {
    let mut client = Client::start_with(Duration::from_secs(10));
    client.next_message().await;
    let started = tokio::time::Instant::now();
    // Pings keep a socket alive, but not one that holds no channel.
    client.send(r#"{"event":"pusher:ping","data":{}}"#).await;
    assert_eq!(client.next_message().await, ServerMessage::Pong);
    assert!(matches!(client.next_message().await, ServerMessage::Error { code: Some(4202), .. }));
    assert_eq!(client.next_close_code().await, 4202);
    assert_eq!(started.elapsed(), Duration::from_secs(10));
    client.done.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_subscribed_socket_stays_and_is_closed_once_it_holds_no_channel() {
    let mut client = Client::start_with(Duration::from_secs(10));
    client.next_message().await;
    client.send(r#"{"event":"pusher:subscribe","data":{"channel":"news"}}"#).await;
    assert!(matches!(client.next_message().await, ServerMessage::SubscriptionSucceeded { .. }));
    tokio::time::sleep(Duration::from_secs(25)).await;
    client.send(r#"{"event":"pusher:ping","data":{}}"#).await;
    assert_eq!(client.next_message().await, ServerMessage::Pong, "still open after 25 s with a channel");
    client.send(r#"{"event":"pusher:unsubscribe","data":{"channel":"news"}}"#).await;
    let unsubscribed = tokio::time::Instant::now();
    assert!(matches!(client.next_message().await, ServerMessage::Error { code: Some(4202), .. }));
    assert_eq!(client.next_close_code().await, 4202);
    assert_eq!(unsubscribed.elapsed(), Duration::from_secs(10));
}

#[tokio::test(start_paused = true)]
async fn an_answered_ping_keeps_the_connection() {
    let mut client = Client::start();
    client.next_message().await;
    assert_eq!(client.next_message().await, ServerMessage::Ping);
    client.send(r#"{"event":"pusher:pong","data":{}}"#).await;
    tokio::time::sleep(Duration::from_secs(29)).await;
    client.send(r#"{"event":"pusher:ping","data":{}}"#).await;
    assert_eq!(client.next_message().await, ServerMessage::Pong);
}

#[tokio::test(start_paused = true)]
async fn an_oversized_frame_gets_an_error_and_a_1009_close() {
    let mut client = Client::start();
    client.next_message().await;
    client.send(&"x".repeat(budtags_pusher::message::MAX_MESSAGE_BYTES + 1)).await;
    assert!(matches!(client.next_message().await, ServerMessage::Error { code: Some(1009), .. }));
    assert_eq!(client.next_close_code().await, 1009);
    client.done.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn shutdown_closes_with_1001_and_ends_the_connection() {
    let mut client = Client::start();
    client.next_message().await;
    // Let the send task reach its `select!` and register for the shutdown signal.
    tokio::time::sleep(Duration::from_millis(1)).await;
    client.shutdown.notify_waiters();
    assert_eq!(client.next_close_code().await, 1001);
    client.done.await.unwrap();
}
