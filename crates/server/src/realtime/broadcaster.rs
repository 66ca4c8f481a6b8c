//! One broadcasting interface: what the event bus calls after each commit.
//!
//! - [`InProcess`]: a tokio `broadcast` channel. It always runs: SSE, `/ws`
//!   and the built-in Pusher endpoint subscribe to it.
//! - [`super::external::ExternalPusher`]: an external Pusher-protocol server,
//!   through its signed HTTP API; added when so configured.

use budtags_wire::EventEnvelope;
use tokio::sync::broadcast;

/// Publishes committed events, in log order.
///
/// `publish` is called on the database's blocking thread while the
/// connection is still held (that is what keeps the order), so it must return
/// at once: queue, never wait.
pub trait Broadcaster: Send + Sync + 'static {
    fn publish(&self, envelope: &EventEnvelope);
}

/// How many events a slow live subscriber may fall behind before it must resync.
const CHANNEL_CAPACITY: usize = 4_096;

/// The in-process fan-out.
#[derive(Clone)]
pub struct InProcess {
    live: broadcast::Sender<EventEnvelope>,
}

impl Default for InProcess {
    fn default() -> Self {
        Self { live: broadcast::channel(CHANNEL_CAPACITY).0 }
    }
}

impl InProcess {
    /// Live events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EventEnvelope> {
        self.live.subscribe()
    }
}

impl Broadcaster for InProcess {
    fn publish(&self, envelope: &EventEnvelope) {
        // No subscribers is not an error: nobody is listening right now.
        let _ = self.live.send(envelope.clone());
    }
}
