//! Realtime: events from the server patch or invalidate the query cache.
//!
//! - [`router`]: one pure function from a typed event to cache actions.
//! - [`sse`]: the EventSource binding, with `Last-Event-ID` resume.
//! - [`live`]: wires a transport to the router and the query cache.

pub mod live;
pub mod router;
pub mod sse;

/// The state of a realtime connection, shown to the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Connected,
    /// Lost; trying again after a delay.
    Reconnecting,
    /// Not connected because the browser is offline.
    Offline,
}

impl ConnectionState {
    pub fn label(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "Connecting…",
            ConnectionState::Connected => "Live",
            ConnectionState::Reconnecting => "Reconnecting…",
            ConnectionState::Offline => "Offline",
        }
    }
}
