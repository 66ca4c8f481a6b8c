//! Events triggered through this server's HTTP API (`POST /apps/{app_id}/events`)
//! by some other backend. They are not this server's own events (nothing is
//! logged): they go, byte for byte, to the built-in Pusher endpoint's sockets
//! subscribed to their channels, like any Pusher server would send them.

use std::{collections::HashSet, sync::Arc};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::broadcast;

use super::protocol;

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

/// A triggered event with its frame for each of its channels, encoded once:
/// every subscribed socket sends the same bytes (a reference-counted copy),
/// so fanning out to 10,000 sockets encodes nothing 10,000 times.
#[derive(Debug)]
pub struct Fanned {
    event: Triggered,
    /// `frames[i]` is the frame for `event.channels[i]`.
    frames: Vec<Utf8Bytes>,
}

impl Fanned {
    pub fn new(event: Triggered) -> Self {
        let frames = event.channels.iter().map(|c| protocol::triggered_frame(&event, c).into()).collect();
        Self { event, frames }
    }

    /// The frames socket `socket_id`, subscribed to `channels`, gets.
    pub fn frames_for(&self, socket_id: &str, channels: &HashSet<String>) -> Vec<Utf8Bytes> {
        if self.event.except_socket.as_deref() == Some(socket_id) {
            return Vec::new();
        }
        let on = self.event.channels.iter().zip(&self.frames);
        on.filter(|(channel, _)| channels.contains(*channel)).map(|(_, frame)| frame.clone()).collect()
    }
}

pub struct TriggerHub {
    sender: broadcast::Sender<Arc<Fanned>>,
}

impl Default for TriggerHub {
    fn default() -> Self {
        Self { sender: broadcast::channel(CAPACITY).0 }
    }
}

impl TriggerHub {
    pub fn publish(&self, event: Triggered) {
        // No sockets open is not an error.
        let _ = self.sender.send(Arc::new(Fanned::new(event)));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Fanned>> {
        self.sender.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_socket_gets_its_channels_frames_unless_it_caused_the_event() {
        let fanned = Fanned::new(Triggered {
            name: "greeting".into(),
            channels: vec!["a".into(), "b".into()],
            data: "not json".into(),
            except_socket: Some("9.9".into()),
        });
        let subscribed = HashSet::from(["b".to_owned()]);
        assert!(fanned.frames_for("9.9", &subscribed).is_empty());
        let frames = fanned.frames_for("123.456", &subscribed);
        assert_eq!(frames, vec![Utf8Bytes::from(protocol::triggered_frame(&fanned.event, "b"))]);
        assert!(fanned.frames_for("123.456", &HashSet::new()).is_empty());
    }
}
