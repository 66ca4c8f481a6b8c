//! How the app reaches the server's realtime events; chosen at runtime.

use serde::{Deserialize, Serialize};

use crate::event::EventEnvelope;

/// `GET /api/realtime/config`: which transport the app should use and where.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RealtimeConfig {
    pub driver: RealtimeDriver,
    /// Pusher protocol: where the server is. `None` host means the page's own host.
    pub pusher: Option<PusherConfig>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RealtimeDriver {
    /// Pusher protocol v7 (built-in `/app/{key}`, Reverb, Soketi, Sockudo, Pusher).
    Pusher,
    /// Server-Sent Events at `/api/events`.
    Sse,
    /// Raw WebSocket at `/ws`.
    Websocket,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PusherConfig {
    pub key: String,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub tls: bool,
    /// Echo's `authEndpoint`, default `/broadcasting/auth`.
    pub auth_endpoint: String,
}

/// `GET /api/events/replay?after={id}&channel={name}[&limit={n}]`: one page
/// (at most 500) of the logged events on a channel after `after`, for a
/// Pusher client catching up after a reconnect. `complete` is false when the
/// log no longer reaches back that far: the client must refetch what the
/// channel covers instead. When `more` is true the client asks again with
/// `after` = `next_after` (absent from older servers, hence the defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Replay {
    pub events: Vec<EventEnvelope>,
    pub complete: bool,
    #[serde(default)]
    pub more: bool,
    /// Where the next page starts; only meaningful when `more`.
    #[serde(default)]
    pub next_after: u64,
}
