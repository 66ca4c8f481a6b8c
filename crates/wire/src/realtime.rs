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
    /// How often SSE and `/ws` send a heartbeat ([`SSE_HEARTBEAT`],
    /// [`WS_HEARTBEAT`]); a client that hears nothing for 2.5 of these
    /// treats the connection as dead. Older servers did not say: 15 s.
    #[serde(default = "default_heartbeat_ms")]
    pub heartbeat_ms: u64,
}

/// The heartbeat interval unless the server says otherwise.
pub const DEFAULT_HEARTBEAT_MS: u64 = 15_000;

fn default_heartbeat_ms() -> u64 {
    DEFAULT_HEARTBEAT_MS
}

/// The SSE event name of a heartbeat (`event: heartbeat`, data `{}`): a named
/// event, unlike a comment line, reaches the page's `EventSource` listeners.
pub const SSE_HEARTBEAT: &str = "heartbeat";

/// A `/ws` heartbeat: one text frame, sent first and then every interval.
pub const WS_HEARTBEAT: &str = r#"{"type":"HEARTBEAT"}"#;

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
