//! What the SSE and raw WebSocket bindings share: one reconnect timer with
//! full-jitter backoff, and a client kept connected for its owner's lifetime
//! (reconnect at once on `online`, close and say "Offline" on `offline`,
//! close on cleanup), the silence watchdog, and the listener bookkeeping
//! all three bindings use.

use std::{cell::Cell, rc::Rc, time::Duration};

use leptos::{ev, prelude::*};
use leptos_use_event_listener::use_event_listener;
use wasm_bindgen::{JsCast, closure::Closure};

use super::{ConnectionState, watchdog};
use crate::backoff::Backoff;

/// The next reconnect: attempt count and its pending timer.
#[derive(Default)]
pub struct Retry {
    backoff: Backoff,
    attempt: u32,
    timer: Option<TimeoutHandle>,
}

impl Retry {
    /// A connection opened: the next failure starts from the shortest delay.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// Says "Reconnecting…" and runs `connect` after the next full-jitter
    /// delay; offline, says so and waits for the `online` event instead.
    pub fn schedule(&mut self, state: RwSignal<ConnectionState>, connect: impl FnOnce() + 'static) {
        self.cancel();
        let online = window().navigator().on_line();
        state.set(if online { ConnectionState::Reconnecting } else { ConnectionState::Offline });
        if !online {
            return;
        }
        let delay = self.backoff.delay(self.attempt, js_sys::Math::random());
        self.attempt = self.attempt.saturating_add(1);
        self.timer = set_timeout_with_handle(connect, delay).ok();
    }

    pub fn cancel(&mut self) {
        if let Some(timer) = self.timer.take() {
            timer.clear();
        }
    }
}

/// A binding's client, as [`keep_connected`] drives it.
pub trait Reconnecting: Clone + 'static {
    fn connect(&self);
    /// Closes the browser object, its listeners and any pending retry.
    fn close(&self);
    fn is_open(&self) -> bool;
    fn state(&self) -> RwSignal<ConnectionState>;
}

/// Connects `client` now and keeps it connected until the owner is cleaned up.
pub fn keep_connected<C: Reconnecting>(client: C) {
    client.connect();
    let me = client.clone();
    let _ = use_event_listener(window(), ev::online, move |_| {
        if !me.is_open() {
            me.connect();
        }
    });
    let me = client.clone();
    let _ = use_event_listener(window(), ev::offline, move |_| {
        me.close();
        me.state().set(ConnectionState::Offline);
    });
    // Clients are not `Send`; keep this one in a local-only slot owned by this scope.
    let owned = StoredValue::new_local(Some(client));
    on_cleanup(move || {
        if let Some(client) = owned.try_update_value(Option::take).flatten() {
            client.close();
        }
    });
}

/// The JS callbacks a binding registered on its browser object; dropping
/// them (on close) releases the Rust side.
pub type Listeners = Vec<Closure<dyn FnMut(web_sys::Event)>>;

/// Adds `handler` for `name` events on `target` and keeps its closure.
pub fn listen(
    target: &web_sys::EventTarget,
    name: &str,
    listeners: &mut Listeners,
    handler: Box<dyn FnMut(web_sys::Event)>,
) {
    let closure = Closure::wrap(handler);
    let _ = target.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
    listeners.push(closure);
}

/// Watches a connection's silence ([`super::watchdog`]): every message
/// counts as hearing from the server; when silence outlasts 2.5 heartbeats,
/// `on_silence` runs (the binding closes and reconnects with resume).
pub struct Watchdog {
    heartbeat: Duration,
    last_heard: Rc<Cell<f64>>,
    timer: Option<IntervalHandle>,
}

impl Watchdog {
    pub fn new(heartbeat: Duration) -> Self {
        Self { heartbeat, last_heard: Rc::new(Cell::new(0.0)), timer: None }
    }

    /// Starts watching a connection just opened (stopping any earlier watch).
    pub fn start(&mut self, on_silence: impl Fn() + 'static) {
        self.stop();
        self.heard();
        let (last_heard, heartbeat) = (self.last_heard.clone(), self.heartbeat);
        let look = move || {
            if watchdog::is_silent(last_heard.get(), js_sys::Date::now(), heartbeat) {
                leptos::logging::warn!(
                    "no heartbeat for {:?}: reconnecting",
                    watchdog::silence_limit(heartbeat)
                );
                on_silence();
            }
        };
        self.timer = set_interval_with_handle(look, watchdog::check_every(heartbeat)).ok();
    }

    /// Something arrived.
    pub fn heard(&self) {
        self.last_heard.set(js_sys::Date::now());
    }

    pub fn stop(&mut self) {
        if let Some(timer) = self.timer.take() {
            timer.clear();
        }
    }
}
