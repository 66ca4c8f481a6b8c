//! `GET /ws`: the event stream over a plain WebSocket. Each text message is
//! one [`EventEnvelope`] as JSON, `{"id":N,"event":{"type":"PACKAGE_UPDATE",…}}`.
//!
//! Like SSE, a client that reconnects with `?lastEventId=N` first gets every
//! logged event after N; if the log no longer reaches back that far, or the
//! client falls too far behind, it gets `{"type":"RESYNC"}` and must refetch.
//! A heartbeat frame ([`WS_HEARTBEAT`]) goes out first and then every
//! [`crate::RealtimeSettings::heartbeat`]: the app reconnects when it hears
//! nothing for 2.5 of them. Messages from the client are ignored. The stream ends with a 1001 close
//! when the server shuts down, and a 1008 close when its session ends
//! (sign-out, a new sign-in, expiry: [`crate::auth::live`]).
//!
//! It needs the session cookie (a browser sends it with the upgrade request)
//! and carries only the signed-in organization's events, live and replayed.
//! The upgrade must come from one of our own pages ([`SameOrigin`]): another
//! site's page could otherwise open it with the visitor's cookie.

use std::{fmt::Display, sync::Arc, time::Duration};

use axum::{
    Router,
    extract::{
        State, WebSocketUpgrade,
        ws::{CloseFrame, Message, rejection::WebSocketUpgradeRejection},
    },
    response::Response,
    routing::get,
};
use budtags_wire::{EventEnvelope, WS_HEARTBEAT};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use crate::{
    AppState, EventBus,
    auth::{CurrentUser, origin::SameOrigin},
    error::{Error, Result},
    event_id::EventId,
    extract::Query,
};

/// The message that tells a client to refetch.
pub const RESYNC: &str = r#"{"type":"RESYNC"}"#;

/// Clients of `/ws` only listen: a small read buffer (tungstenite's default,
/// 128 KiB, is zero-filled on the first read and stays resident per socket)
/// and a small limit on what they may send.
const READ_BUFFER_BYTES: usize = 4 * 1024;
const MAX_CLIENT_MESSAGE_BYTES: usize = 16 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/ws", get(connect))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WsQuery {
    last_event_id: Option<EventId>,
}

async fn connect(
    State(state): State<AppState>,
    user: CurrentUser,
    _: SameOrigin,
    Query(query): Query<WsQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response> {
    let upgrade = upgrade.map_err(|e| Error::BadRequest(format!("Expected a WebSocket upgrade: {e}")))?;
    let upgrade = upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(MAX_CLIENT_MESSAGE_BYTES)
        .max_frame_size(MAX_CLIENT_MESSAGE_BYTES);
    let session_ended = state.auth.live.watch(user.session).ended();
    Ok(upgrade.on_upgrade(move |socket| {
        let (sink, stream) = socket.split();
        let organization_id = user.account.organization_id;
        let last_event_id = query.last_event_id.map(|id| id.0);
        let heartbeat = state.realtime.settings.heartbeat;
        stream_events(sink, stream, state.events, organization_id, last_event_id, heartbeat, session_ended)
    }))
}

/// WebSocket close code: the session behind the stream has ended (policy violation, RFC 6455).
pub const CLOSE_SESSION_ENDED: u16 = 1008;

/// Streams events to `sink`, with a heartbeat every `heartbeat`, until the
/// client leaves, the server shuts down or `session_ended` completes.
pub async fn stream_events<W, R, E>(
    mut sink: W,
    mut stream: R,
    events: Arc<EventBus>,
    organization_id: i64,
    last_event_id: Option<u64>,
    heartbeat: Duration,
    session_ended: impl Future<Output = ()>,
) where
    W: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, E>> + Unpin,
    E: Display,
{
    // Subscribe before reading the log so nothing falls between the two.
    let mut live = events.subscribe_owned();
    let disconnected = events.disconnected();
    tokio::pin!(disconnected, session_ended);
    let (mut last_sent, replay) = match catch_up(&events, organization_id, last_event_id).await {
        Ok(start) => start,
        // Too many replays at once: the client reconnects after its backoff.
        Err(Error::RateLimited { .. }) => {
            let _ = sink.send(close(1013, "Try again later")).await;
            return;
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot read the event log for /ws");
            let _ = sink.send(close(1011, "Server error")).await;
            return;
        }
    };
    for text in replay {
        if sink.send(Message::Text(text.into())).await.is_err() {
            return;
        }
    }
    // The first tick is at once: the client hears from us before any event.
    let mut beats = tokio::time::interval(heartbeat);
    beats.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let text = tokio::select! {
            biased;
            () = &mut disconnected => {
                let _ = sink.send(close(1001, "Server shutting down")).await;
                return;
            }
            () = &mut session_ended => {
                let _ = sink.send(close(CLOSE_SESSION_ENDED, "Session ended")).await;
                return;
            }
            incoming = stream.next() => match incoming {
                None | Some(Ok(Message::Close(_))) => return,
                Some(Err(e)) => {
                    tracing::debug!(error = %e, "/ws read failed");
                    return;
                }
                Some(Ok(_)) => continue,
            },
            _ = beats.tick() => WS_HEARTBEAT.to_owned(),
            event = live.recv() => match event {
                Ok(owned) if owned.envelope.id <= last_sent => continue,
                Ok(owned) if owned.organization_id != Some(organization_id) => continue,
                Ok(owned) => {
                    last_sent = owned.envelope.id;
                    encode(&owned.envelope)
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "/ws subscriber lagged; asking it to resync");
                    RESYNC.to_owned()
                }
                Err(RecvError::Closed) => return,
            },
        };
        if sink.send(Message::Text(text.into())).await.is_err() {
            return;
        }
    }
}

/// The id live events continue after, and the messages to send first.
async fn catch_up(
    events: &EventBus,
    organization_id: i64,
    last_event_id: Option<u64>,
) -> Result<(u64, Vec<String>)> {
    Ok(match last_event_id {
        Some(last_id) => match events.since_for(last_id, organization_id).await? {
            Some(missed) => (missed.last().map_or(last_id, |e| e.id), missed.iter().map(encode).collect()),
            None => (events.head().await?, vec![RESYNC.to_owned()]),
        },
        None => (events.head().await?, Vec::new()),
    })
}

fn encode(envelope: &EventEnvelope) -> String {
    serde_json::to_string(envelope).unwrap_or_else(|e| {
        tracing::error!(id = envelope.id, error = %e, "cannot encode an event; asking the client to resync");
        RESYNC.to_owned()
    })
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
}
