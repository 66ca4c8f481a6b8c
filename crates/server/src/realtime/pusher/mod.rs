//! The built-in Pusher protocol v7 server, like Laravel Reverb's: pusher-js
//! and laravel-echo connect to `GET /app/{key}` on this very server, and
//! another backend may publish through it with the signed HTTP API.
//!
//! - [`protocol`]: pure decisions: the answer to each client frame, the frames
//!   an event becomes.
//! - [`socket`]: one connection, two tasks under `select!`, generic over a
//!   `Sink`/`Stream` pair.
//! - [`hub`]: events triggered through the HTTP API, fanned out to sockets.
//! - [`trigger`]: `POST /apps/{app_id}/events`, signature-checked;
//!   [`seen_signatures`]: each signed request is accepted once.

pub mod hub;
pub mod protocol;
pub mod seen_signatures;
pub mod socket;
pub mod trigger;

use axum::{
    Router,
    extract::{
        Path, State, WebSocketUpgrade,
        ws::{WebSocket, rejection::WebSocketUpgradeRejection},
    },
    response::Response,
    routing::get,
};
use futures_util::StreamExt;

use crate::{
    AppState,
    auth::origin::SameOrigin,
    error::{Error, Result},
};

/// Frames larger than this are dropped by the WebSocket layer itself; frames
/// between [`budtags_pusher::message::MAX_MESSAGE_BYTES`] and this are read and
/// refused with close code 1009.
const MAX_WEBSOCKET_MESSAGE_BYTES: usize = 64 * 1024;

/// Each socket's read buffer. tungstenite's default, 128 KiB, is zero-filled
/// on the first read, so it was resident for every idle connection (about
/// 130 KB each, `cargo xtask bench-fanout`). Pusher clients send small
/// frames (pings, subscriptions, at most [`budtags_pusher::message::MAX_MESSAGE_BYTES`]);
/// the buffer still grows for a larger frame, up to the limit above.
const READ_BUFFER_BYTES: usize = 4 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/app/{key}", get(connect)).merge(trigger::router())
}

/// `GET /app/{key}?protocol=7&…`: the WebSocket upgrade. An unknown key is
/// accepted and then refused in-band, `pusher:error` 4001 and a 4001 close,
/// so the client learns why and does not retry. Browsers connect from our
/// own pages; another site's page is refused (403, [`SameOrigin`]).
async fn connect(
    State(state): State<AppState>,
    _: SameOrigin,
    Path(key): Path<String>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response> {
    let upgrade = upgrade.map_err(|e| Error::BadRequest(format!("Expected a WebSocket upgrade: {e}")))?;
    Ok(upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(MAX_WEBSOCKET_MESSAGE_BYTES)
        .max_frame_size(MAX_WEBSOCKET_MESSAGE_BYTES)
        .on_upgrade(move |socket| run(socket, state, key)))
}

async fn run(socket: WebSocket, state: AppState, key: String) {
    let (sink, stream) = socket.split();
    let settings = &state.realtime.settings;
    if key != settings.app.key {
        tracing::info!(key, "refused a Pusher connection for an unknown app key");
        return socket::refuse(sink, protocol::CLOSE_APP_NOT_FOUND, "Application does not exist").await;
    }
    let socket_id = protocol::new_socket_id(&mut fastrand::Rng::new());
    tracing::debug!(socket_id, "Pusher connection opened");
    let connection = socket::Connection {
        app: settings.app.clone(),
        socket_id,
        activity_timeout: settings.activity_timeout,
        subscription_timeout: settings.subscription_timeout,
        events: state.events.subscribe(),
        triggered: state.realtime.hub.subscribe(),
        sessions: state.auth.live.clone(),
    };
    socket::serve(sink, stream, connection, state.events.disconnected()).await;
}
