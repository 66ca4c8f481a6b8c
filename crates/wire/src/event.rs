//! Realtime events the server broadcasts, and their envelope.
//!
//! One typed enum for every transport (raw WebSocket, SSE, Pusher channels):
//! the transports only differ in framing.

use serde::{Deserialize, Serialize};

use crate::package::Package;

/// An event with its place in the server's event log. `id` increases by one
/// per event, so a client that saw id N can ask for everything after N.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    pub id: u64,
    pub event: RealtimeEvent,
}

/// What changed on the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RealtimeEvent {
    /// A package changed (quantity, finished, created). Carries the whole new row.
    #[serde(rename_all = "camelCase")]
    PackageUpdate { license: String, package_id: i64, data: Package },
}

impl RealtimeEvent {
    /// The SSE event name / Pusher event name of this event.
    pub fn name(&self) -> &'static str {
        match self {
            RealtimeEvent::PackageUpdate { .. } => "package-update",
        }
    }
}
