//! Realtime: events from the server patch or invalidate the query cache.
//!
//! - [`router`]: one pure function from a typed event to cache actions.
//! - [`websocket`]: the raw WebSocket binding for `/ws`.
//! - [`reconnect`]: the reconnect timer and network events the SSE and /ws bindings share.
//! - [`watchdog`]: when a silent SSE or /ws connection counts as dead (pure).
//! - [`sse`]: the EventSource binding, with `Last-Event-ID` resume.
//! - [`pusher`]: the Pusher protocol client with an Echo-shaped API.
//! - [`actions`]: the router's cache actions carried out on leptos-fetch.
//! - [`live`]: wires a transport to the router and the query cache.

pub mod actions;
pub mod live;
pub mod pusher;
pub mod reconnect;
pub mod router;
pub mod sse;
pub mod watchdog;
pub mod websocket;

/// The state of a realtime connection, shown to the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Connected,
    /// Lost; trying again after a delay.
    Reconnecting,
    /// Not connected because the browser is offline.
    Offline,
    /// The server refused the connection for good (e.g. an unknown app key).
    Failed,
}

impl ConnectionState {
    pub fn label(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "Connecting…",
            ConnectionState::Connected => "Live",
            ConnectionState::Reconnecting => "Reconnecting…",
            ConnectionState::Offline => "Offline",
            ConnectionState::Failed => "Live updates unavailable",
        }
    }
}
