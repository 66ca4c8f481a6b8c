//! EventSource binding. Thin: the browser object and its listeners; the
//! reconnect timer and network events are [`super::reconnect`]'s.
//!
//! On any error the source is closed and reopened after a full-jitter delay
//! with `?lastEventId=<last seen>`, so the server replays what was missed.
//! The browser's own retry (fixed delay, no jitter) is never used. Every
//! event (the server's `heartbeat` among them) feeds the [`Watchdog`]: a
//! stream silent for 2.5 heartbeats is treated as down and reopened.

use std::{cell::RefCell, rc::Rc, time::Duration};

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

use super::{
    ConnectionState,
    reconnect::{Listeners, Reconnecting, Retry, Watchdog, keep_connected, listen},
};

/// Handles one named event: `(event name, event id, data)`.
pub type OnMessage = Rc<dyn Fn(&str, Option<u64>, &str)>;

struct Inner {
    url: String,
    events: &'static [&'static str],
    on_message: OnMessage,
    state: RwSignal<ConnectionState>,
    source: Option<EventSource>,
    listeners: Listeners,
    retry: Retry,
    watchdog: Watchdog,
    last_id: Option<String>,
}

#[derive(Clone)]
struct Client(Rc<RefCell<Inner>>);

impl Client {
    fn connect(&self) {
        Reconnecting::close(self);
        let mut inner = self.0.borrow_mut();
        let url = match &inner.last_id {
            Some(id) => format!("{}?lastEventId={}", inner.url, js_sys::encode_uri_component(id)),
            None => inner.url.clone(),
        };
        let Ok(source) = EventSource::new(&url) else {
            drop(inner);
            self.retry_later();
            return;
        };
        if inner.state.get_untracked() != ConnectionState::Reconnecting {
            inner.state.set(ConnectionState::Connecting);
        }
        let events = inner.events;
        let mut listen =
            |name: &str, f: Box<dyn FnMut(web_sys::Event)>| listen(&source, name, &mut inner.listeners, f);
        let me = self.clone();
        listen("open", Box::new(move |_| me.on_open()));
        let me = self.clone();
        listen("error", Box::new(move |_| me.on_error()));
        for &name in events {
            let me = self.clone();
            listen(name, Box::new(move |e| me.on_event(name, e)));
        }
        inner.source = Some(source);
        let me = self.clone();
        inner.watchdog.start(move || me.on_error());
    }

    fn on_open(&self) {
        let mut inner = self.0.borrow_mut();
        inner.watchdog.heard();
        inner.retry.reset();
        inner.state.set(ConnectionState::Connected);
    }

    fn on_event(&self, name: &str, event: web_sys::Event) {
        let Some(message) = event.dyn_ref::<MessageEvent>() else { return };
        let data = message.data().as_string().unwrap_or_default();
        let (on_message, id) = {
            let mut inner = self.0.borrow_mut();
            inner.watchdog.heard();
            let id = message.last_event_id();
            let parsed = id.parse::<u64>().ok();
            if !id.is_empty() {
                inner.last_id = Some(id);
            }
            (inner.on_message.clone(), parsed)
        };
        on_message(name, id, &data);
    }

    fn on_error(&self) {
        Reconnecting::close(self);
        self.retry_later();
    }

    fn retry_later(&self) {
        let me = self.clone();
        let mut inner = self.0.borrow_mut();
        let state = inner.state;
        inner.retry.schedule(state, move || me.connect());
    }
}

impl Reconnecting for Client {
    fn connect(&self) {
        Client::connect(self)
    }

    fn close(&self) {
        let mut inner = self.0.borrow_mut();
        if let Some(source) = inner.source.take() {
            source.close();
        }
        inner.listeners.clear();
        inner.retry.cancel();
        inner.watchdog.stop();
    }

    fn is_open(&self) -> bool {
        self.0.borrow().source.is_some()
    }

    fn state(&self) -> RwSignal<ConnectionState> {
        self.0.borrow().state
    }
}

/// Opens an EventSource on `url`, delivering the named `events` to
/// `on_message`, reconnecting with backoff (and at once when the browser
/// comes back online, or when it hears nothing for 2.5 × `heartbeat`)
/// until the owner is cleaned up.
pub fn use_event_source(
    url: impl Into<String>,
    events: &'static [&'static str],
    heartbeat: Duration,
    on_message: OnMessage,
) -> Signal<ConnectionState> {
    let state = RwSignal::new(ConnectionState::Connecting);
    let client = Client(Rc::new(RefCell::new(Inner {
        url: url.into(),
        events,
        on_message,
        state,
        source: None,
        listeners: Vec::new(),
        retry: Retry::default(),
        watchdog: Watchdog::new(heartbeat),
        last_id: None,
    })));
    keep_connected(client);
    state.into()
}
