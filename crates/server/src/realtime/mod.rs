//! Realtime: who may hear what, and every way events leave this server.
//!
//! # Layout
//! - [`settings`]: the Pusher app credentials, the broadcast mode, what the
//!   browser is told (`GET /api/realtime/config`, served by [`client_config`]);
//!   [`credentials`]: which key and secret the server runs with (given, or
//!   generated on first start and kept in the database).
//! - [`channels`]: channel names and who may hear each (organization ownership).
//! - [`broadcasting_auth`]: `POST /broadcasting/auth`, Echo's channel signatures.
//! - [`broadcaster`]: the one broadcasting interface the event bus publishes
//!   through, and its in-process implementation; [`external`]: the external
//!   Pusher server implementation (signed HTTP trigger API).
//! - [`pusher`]: the built-in Pusher protocol v7 endpoint `GET /app/{key}` and
//!   the trigger API `POST /apps/{app_id}/events`.
//! - [`raw_ws`]: `GET /ws`, event envelopes over a plain WebSocket, with replay.
//! - [`replay`]: `GET /api/events/replay`, catch-up for Pusher clients.
//!
//! SSE (`GET /api/events`) lives in [`crate::sse`].

pub mod broadcaster;
pub mod broadcasting_auth;
pub mod channels;
pub mod client_config;
pub mod credentials;
pub mod external;
pub mod pusher;
pub mod raw_ws;
pub mod replay;
pub mod settings;

use std::sync::Mutex;

use axum::Router;

use crate::AppState;
use pusher::seen_signatures::{Refused, SeenSignatures};
pub use settings::{Broadcast, ExternalServer, PusherApp, RealtimeSettings};

/// The realtime part of [`AppState`].
pub struct Realtime {
    pub settings: RealtimeSettings,
    /// Events triggered through this server's HTTP API, for its Pusher sockets.
    pub hub: pusher::hub::TriggerHub,
    /// Signatures of trigger requests accepted recently, so none is accepted twice.
    seen_signatures: Mutex<SeenSignatures>,
}

impl Realtime {
    pub fn new(settings: RealtimeSettings) -> Self {
        Self { settings, hub: pusher::hub::TriggerHub::default(), seen_signatures: Mutex::default() }
    }

    /// Records a verified trigger request's signature, refusing one seen before.
    pub fn seen_signature(&self, signature: &str, timestamp: u64, now: u64) -> Result<(), Refused> {
        // Nothing half-done can be left by a panic in these few lines.
        let mut seen = self.seen_signatures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.check_and_record(signature, timestamp, now)
    }
}

/// Routes at the root, where Echo, pusher-js and Pusher backends expect them:
/// `/broadcasting/auth`, `/app/{key}`, `/apps/{app_id}/events` and `/ws`.
pub fn root_router() -> Router<AppState> {
    Router::new().merge(broadcasting_auth::router()).merge(pusher::router()).merge(raw_ws::router())
}

/// Routes under `/api`: `/events/replay` and `/realtime/config`.
pub fn api_router() -> Router<AppState> {
    Router::new().merge(replay::router()).merge(client_config::router())
}
