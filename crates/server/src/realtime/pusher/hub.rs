//! Events triggered through this server's HTTP API (`POST /apps/{app_id}/events`)
//! by some other backend. They are not this server's own events (nothing is
//! logged): they go, byte for byte, to the built-in Pusher endpoint's sockets
//! subscribed to their channels, like any Pusher server would send them.

use std::sync::Arc;

use tokio::sync::broadcast;

/// How many triggered events a slow socket may fall behind before it skips some.
const CAPACITY: usize = 1_024;

/// One triggered event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Triggered {
    pub name: String,
    pub channels: Vec<String>,
    /// Forwarded verbatim as the frame's `data` string.
    pub data: String,
    /// The socket that caused it, which does not get it (Laravel's `toOthers()`).
    pub except_socket: Option<String>,
}

pub struct TriggerHub {
    sender: broadcast::Sender<Arc<Triggered>>,
}

impl Default for TriggerHub {
    fn default() -> Self {
        Self { sender: broadcast::channel(CAPACITY).0 }
    }
}

impl TriggerHub {
    pub fn publish(&self, event: Triggered) {
        // No sockets open is not an error.
        let _ = self.sender.send(Arc::new(event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Triggered>> {
        self.sender.subscribe()
    }
}
