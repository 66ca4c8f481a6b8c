//! Raw WebSocket binding for `/ws`: the seed's `{type: "PACKAGE_UPDATE",
//! packageId, data}` messages, each wrapped with its log id (`{"id", "event"}`;
//! a bare event is accepted too). Reconnects with full-jitter backoff, at once
//! when the browser comes back online, and resumes with `?lastEventId=`.
//! Every frame (the server's heartbeat among them) feeds the [`Watchdog`]: a
//! socket silent for 2.5 heartbeats is treated as down and reopened.

use std::{cell::RefCell, rc::Rc, time::Duration};

use budtags_wire::{EventEnvelope, RealtimeEvent, WS_HEARTBEAT};
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};

use super::{
    ConnectionState,
    reconnect::{Listeners, Reconnecting, Retry, Watchdog, keep_connected, listen},
    router::Incoming,
};

/// Decodes one text frame from `/ws`. Pure; `None` for anything else.
pub fn decode(text: &str) -> Option<Incoming> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Frame {
        Envelope(EventEnvelope),
        Bare(RealtimeEvent),
        Control {
            #[serde(rename = "type")]
            kind: String,
        },
    }
    match serde_json::from_str::<Frame>(text).ok()? {
        Frame::Envelope(e) => Some(Incoming::Event { event: Box::new(e.event), id: Some(e.id) }),
        Frame::Bare(event) => Some(Incoming::Event { event: Box::new(event), id: None }),
        Frame::Control { kind } if kind == "RESYNC" => Some(Incoming::Resync),
        Frame::Control { .. } => None,
    }
}

struct Inner {
    url: String,
    on_incoming: Rc<dyn Fn(Incoming)>,
    state: RwSignal<ConnectionState>,
    socket: Option<WebSocket>,
    listeners: Listeners,
    retry: Retry,
    watchdog: Watchdog,
    last_id: Option<u64>,
}

#[derive(Clone)]
struct Client(Rc<RefCell<Inner>>);

impl Client {
    fn open(&self) {
        self.close();
        let mut inner = self.0.borrow_mut();
        let url = match inner.last_id {
            Some(id) => format!("{}?lastEventId={id}", inner.url),
            None => inner.url.clone(),
        };
        let Ok(socket) = WebSocket::new(&url) else {
            drop(inner);
            self.retry_later();
            return;
        };
        let mut listen =
            |name: &str, f: Box<dyn FnMut(web_sys::Event)>| listen(&socket, name, &mut inner.listeners, f);
        let me = self.clone();
        listen(
            "open",
            Box::new(move |_| {
                let inner = &mut me.0.borrow_mut();
                inner.watchdog.heard();
                inner.retry.reset();
                inner.state.set(ConnectionState::Connected);
            }),
        );
        let me = self.clone();
        listen("close", Box::new(move |_| me.retry_later()));
        let me = self.clone();
        listen(
            "message",
            Box::new(move |e| {
                me.0.borrow().watchdog.heard();
                let Some(text) = e.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string()) else {
                    return;
                };
                if text == WS_HEARTBEAT {
                    return;
                }
                let Some(incoming) = decode(&text) else {
                    leptos::logging::warn!("ignoring malformed /ws message");
                    return;
                };
                let on_incoming = {
                    let mut inner = me.0.borrow_mut();
                    if let Incoming::Event { id: Some(id), .. } = &incoming {
                        inner.last_id = Some(*id);
                    }
                    inner.on_incoming.clone()
                };
                on_incoming(incoming);
            }),
        );
        inner.socket = Some(socket);
        let me = self.clone();
        inner.watchdog.start(move || me.retry_later());
    }

    fn retry_later(&self) {
        self.close();
        let me = self.clone();
        let mut inner = self.0.borrow_mut();
        let state = inner.state;
        inner.retry.schedule(state, move || me.open());
    }
}

impl Reconnecting for Client {
    fn connect(&self) {
        self.open();
    }

    fn close(&self) {
        let mut inner = self.0.borrow_mut();
        inner.listeners.clear();
        if let Some(socket) = inner.socket.take() {
            let _ = socket.close();
        }
        inner.retry.cancel();
        inner.watchdog.stop();
    }

    fn is_open(&self) -> bool {
        self.0.borrow().socket.is_some()
    }

    fn state(&self) -> RwSignal<ConnectionState> {
        self.0.borrow().state
    }
}

/// Connects to `url` (`ws[s]://…/ws`) until the owner is cleaned up; a
/// socket silent for 2.5 × `heartbeat` is reopened.
pub fn use_websocket(
    url: String,
    heartbeat: Duration,
    on_incoming: Rc<dyn Fn(Incoming)>,
) -> Signal<ConnectionState> {
    let state = RwSignal::new(ConnectionState::Connecting);
    let client = Client(Rc::new(RefCell::new(Inner {
        url,
        on_incoming,
        state,
        socket: None,
        listeners: Vec::new(),
        retry: Retry::default(),
        watchdog: Watchdog::new(heartbeat),
        last_id: None,
    })));
    keep_connected(client);
    state.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_envelopes_bare_events_and_resync() {
        let bare = r#"{"type":"TRANSFER_COMPLETED","transferId":4}"#;
        assert!(matches!(decode(bare), Some(Incoming::Event { id: None, .. })));
        let wrapped = format!(r#"{{"id":9,"event":{bare}}}"#);
        assert!(matches!(decode(&wrapped), Some(Incoming::Event { id: Some(9), .. })));
        assert_eq!(decode(r#"{"type":"RESYNC"}"#), Some(Incoming::Resync));
    }

    #[test]
    fn ignores_what_it_cannot_read() {
        for text in ["", "not json", r#"{"type":"NOPE"}"#, r#"{"id":"x","event":{}}"#, "[]"] {
            assert_eq!(decode(text), None, "{text}");
        }
    }
}
