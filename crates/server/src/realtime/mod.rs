//! Realtime: who may hear what, and every way events leave this server.
//!
//! # Layout
//! - [`settings`]: the Pusher app credentials, the broadcast mode, what the
//!   browser is told (`GET /api/realtime/config`, served by [`client_config`]).
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
pub mod external;
pub mod pusher;
pub mod raw_ws;
pub mod replay;
pub mod settings;

use axum::Router;

use crate::AppState;
pub use settings::{Broadcast, ExternalServer, PusherApp, RealtimeSettings};

/// The realtime part of [`AppState`].
pub struct Realtime {
    pub settings: RealtimeSettings,
    /// Events triggered through this server's HTTP API, for its Pusher sockets.
    pub hub: pusher::hub::TriggerHub,
}

impl Realtime {
    pub fn new(settings: RealtimeSettings) -> Self {
        Self { settings, hub: pusher::hub::TriggerHub::default() }
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
