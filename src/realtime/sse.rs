//! EventSource binding. Thin: the browser object, its listeners and one
//! reconnect timer; decisions (backoff) live in [`crate::backoff`].
//!
//! On any error the source is closed and reopened after a full-jitter delay
//! with `?lastEventId=<last seen>`, so the server replays what was missed.
//! The browser's own retry (fixed delay, no jitter) is never used.

use std::{cell::RefCell, rc::Rc};

use leptos::{ev, prelude::*};
use leptos_use_event_listener::use_event_listener;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{EventSource, MessageEvent};

use super::ConnectionState;
use crate::backoff::Backoff;

/// Handles one named event: `(event name, event id, data)`.
pub type OnMessage = Rc<dyn Fn(&str, Option<u64>, &str)>;

struct Inner {
    url: String,
    events: &'static [&'static str],
    on_message: OnMessage,
    backoff: Backoff,
    state: RwSignal<ConnectionState>,
    source: Option<EventSource>,
    listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    timer: Option<TimeoutHandle>,
    attempt: u32,
    last_id: Option<String>,
}

#[derive(Clone)]
struct Client(Rc<RefCell<Inner>>);

impl Client {
    fn connect(&self) {
        self.close();
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
        let mut listen = |name: &str, f: Box<dyn FnMut(web_sys::Event)>| {
            let closure = Closure::wrap(f);
            let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
            inner.listeners.push(closure);
        };
        let me = self.clone();
        listen("open", Box::new(move |_| me.on_open()));
        let me = self.clone();
        listen("error", Box::new(move |_| me.on_error()));
        for &name in events {
            let me = self.clone();
            listen(name, Box::new(move |e| me.on_event(name, e)));
        }
        inner.source = Some(source);
    }

    fn on_open(&self) {
        let mut inner = self.0.borrow_mut();
        inner.attempt = 0;
        inner.state.set(ConnectionState::Connected);
    }

    fn on_event(&self, name: &str, event: web_sys::Event) {
        let Some(message) = event.dyn_ref::<MessageEvent>() else { return };
        let data = message.data().as_string().unwrap_or_default();
        let (on_message, id) = {
            let mut inner = self.0.borrow_mut();
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
        self.close();
        self.retry_later();
    }

    fn retry_later(&self) {
        let mut inner = self.0.borrow_mut();
        let online = window().navigator().on_line();
        inner.state.set(if online { ConnectionState::Reconnecting } else { ConnectionState::Offline });
        if !online {
            return; // the `online` listener reconnects
        }
        let delay = inner.backoff.delay(inner.attempt, js_sys::Math::random());
        inner.attempt = inner.attempt.saturating_add(1);
        let me = self.clone();
        inner.timer = set_timeout_with_handle(move || me.connect(), delay).ok();
    }

    /// Closes the source, drops its listeners and any pending retry.
    fn close(&self) {
        let mut inner = self.0.borrow_mut();
        if let Some(source) = inner.source.take() {
            source.close();
        }
        inner.listeners.clear();
        if let Some(timer) = inner.timer.take() {
            timer.clear();
        }
    }
}

/// Opens an EventSource on `url`, delivering the named `events` to
/// `on_message`, reconnecting with backoff (and at once when the browser
/// comes back online) until the owner is cleaned up.
pub fn use_event_source(
    url: impl Into<String>,
    events: &'static [&'static str],
    on_message: OnMessage,
) -> Signal<ConnectionState> {
    let state = RwSignal::new(ConnectionState::Connecting);
    let client = Client(Rc::new(RefCell::new(Inner {
        url: url.into(),
        events,
        on_message,
        backoff: Backoff::default(),
        state,
        source: None,
        listeners: Vec::new(),
        timer: None,
        attempt: 0,
        last_id: None,
    })));
    client.connect();
    let me = client.clone();
    let _ = use_event_listener(window(), ev::online, move |_| {
        if me.0.borrow().source.is_none() {
            me.connect();
        }
    });
    // Going offline closes at once and says so; `online` reconnects.
    let me = client.clone();
    let _ = use_event_listener(window(), ev::offline, move |_| {
        me.close();
        me.0.borrow().state.set(ConnectionState::Offline);
    });
    // `Client` is not `Send`; keep it in a local-only slot owned by this scope.
    let owned = StoredValue::new_local(Some(client));
    on_cleanup(move || {
        if let Some(client) = owned.try_update_value(Option::take).flatten() {
            client.close();
        }
    });
    state.into()
}
