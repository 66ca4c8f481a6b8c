//! The Pusher connection binding. Thin: a `web_sys::WebSocket`, its
//! listeners and timers; every decision is a `budtags_pusher` function.

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use budtags_pusher::{
    ChannelKind, ClientMessage, Liveness, Reconnect, ServerMessage,
    liveness::{Activity, effective_activity_timeout},
    on_close,
};
use budtags_wire::{RealtimeEvent, Replay};
use gloo_net::http::Request;
use leptos::{ev, prelude::*, task::spawn_local};
use leptos_use_event_listener::use_event_listener;
use serde_json::Value;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use crate::{
    backoff::Backoff,
    realtime::reconnect::{Listeners, listen},
};

/// The connection's state, as pusher-js names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PusherState {
    Connecting,
    Connected,
    /// Not connected for 10 s; still trying.
    Unavailable,
    /// The server refused us for good (a 4001–4099 or 4300+ close).
    Failed,
    Disconnected,
}

#[derive(Clone, Debug)]
pub struct PusherOptions {
    /// `ws[s]://host:port/app/{key}`; the query is added here.
    pub url: String,
    /// Echo's `authEndpoint`.
    pub auth_endpoint: String,
    /// Sent as `X-CSRF-TOKEN` on auth requests.
    pub csrf_token: Option<String>,
    pub backoff: Backoff,
}

type Handler = Rc<dyn Fn(&Value)>;
type Notice = Rc<dyn Fn(&str)>;

#[derive(Default)]
struct Channel {
    subscribed: bool,
    handlers: Vec<(String, Handler)>,
    on_subscribed: Vec<Rc<dyn Fn()>>,
    on_error: Vec<Notice>,
    /// Called when a catch-up could not replay everything.
    on_resync: Vec<Rc<dyn Fn()>>,
    last_event_id: Option<u64>,
    auth_attempt: u32,
}

struct Inner {
    options: PusherOptions,
    state: RwSignal<PusherState>,
    socket: Option<WebSocket>,
    listeners: Listeners,
    socket_id: Option<String>,
    activity: Activity,
    activity_timeout: std::time::Duration,
    channels: HashMap<String, Channel>,
    attempt: u32,
    reconnect_timer: Option<TimeoutHandle>,
    connect_started: f64,
}

/// A Pusher connection. Cheap to clone; closes when its owner is cleaned up.
#[derive(Clone)]
pub struct Pusher(Rc<RefCell<Inner>>);

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

impl Pusher {
    /// Connects and keeps the connection up until the owning scope ends.
    pub fn new(options: PusherOptions) -> Self {
        let pusher = Pusher(Rc::new(RefCell::new(Inner {
            options,
            state: RwSignal::new(PusherState::Connecting),
            socket: None,
            listeners: Vec::new(),
            socket_id: None,
            activity: Activity::new(now_ms()),
            activity_timeout: effective_activity_timeout(120),
            channels: HashMap::new(),
            attempt: 0,
            reconnect_timer: None,
            connect_started: js_sys::Date::now(),
        })));
        pusher.connect();
        let me = pusher.clone();
        let _ = use_event_listener(window(), ev::online, move |_| {
            let state = me.0.borrow().state.get_untracked();
            if state != PusherState::Connected && state != PusherState::Failed {
                me.connect();
            }
        });
        let me = pusher.clone();
        let _ = use_event_listener(window(), ev::offline, move |_| {
            me.drop_socket();
            let inner = me.0.borrow_mut();
            inner.state.set(PusherState::Disconnected);
        });
        let me = pusher.clone();
        let ticker = set_interval_with_handle(move || me.tick(), std::time::Duration::from_secs(1)).ok();
        let owned = StoredValue::new_local(Some(pusher.clone()));
        on_cleanup(move || {
            if let Some(ticker) = ticker {
                ticker.clear();
            }
            if let Some(p) = owned.try_update_value(Option::take).flatten() {
                p.close();
            }
        });
        pusher
    }

    pub fn state(&self) -> Signal<PusherState> {
        self.0.borrow().state.into()
    }

    /// Subscribes to `channel` (full name, e.g. `private-org.1`) unless held.
    pub fn subscribe(&self, channel: &str) {
        let send_now = {
            let mut inner = self.0.borrow_mut();
            let fresh = !inner.channels.contains_key(channel);
            inner.channels.entry(channel.to_owned()).or_default();
            fresh && inner.socket_id.is_some()
        };
        if send_now {
            self.send_subscribe(channel);
        }
    }

    pub fn unsubscribe(&self, channel: &str) {
        let held = self.0.borrow_mut().channels.remove(channel).is_some();
        if held {
            self.send(&ClientMessage::Unsubscribe { channel: channel.to_owned() });
        }
    }

    pub fn bind(&self, channel: &str, event: &str, handler: impl Fn(&Value) + 'static) {
        let mut inner = self.0.borrow_mut();
        let ch = inner.channels.entry(channel.to_owned()).or_default();
        ch.handlers.push((event.to_owned(), Rc::new(handler)));
    }

    pub fn on_subscribed(&self, channel: &str, f: impl Fn() + 'static) {
        self.0.borrow_mut().channels.entry(channel.to_owned()).or_default().on_subscribed.push(Rc::new(f));
    }

    pub fn on_error(&self, channel: &str, f: impl Fn(&str) + 'static) {
        self.0.borrow_mut().channels.entry(channel.to_owned()).or_default().on_error.push(Rc::new(f));
    }

    pub fn on_resync(&self, channel: &str, f: impl Fn() + 'static) {
        self.0.borrow_mut().channels.entry(channel.to_owned()).or_default().on_resync.push(Rc::new(f));
    }

    fn connect(&self) {
        self.drop_socket();
        let url = {
            let inner = self.0.borrow();
            format!("{}?protocol=7&client=budtags-rs&version=0.1.0&flash=false", inner.options.url)
        };
        let Ok(socket) = WebSocket::new(&url) else {
            self.reconnect_later(Reconnect::Backoff);
            return;
        };
        let mut inner = self.0.borrow_mut();
        if inner.state.get_untracked() != PusherState::Unavailable {
            inner.state.set(PusherState::Connecting);
        }
        inner.connect_started = js_sys::Date::now();
        let mut listen =
            |name: &str, f: Box<dyn FnMut(web_sys::Event)>| listen(&socket, name, &mut inner.listeners, f);
        let me = self.clone();
        listen(
            "message",
            Box::new(move |e| {
                if let Some(text) = e.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string()) {
                    me.on_text(&text);
                }
            }),
        );
        let me = self.clone();
        listen(
            "close",
            Box::new(move |e| {
                let code = e.dyn_ref::<CloseEvent>().map_or(1006, |c| c.code());
                me.on_closed(code);
            }),
        );
        inner.socket = Some(socket);
    }

    fn on_text(&self, text: &str) {
        self.0.borrow_mut().activity.record_activity(now_ms());
        let message = match ServerMessage::decode(text) {
            Ok(message) => message,
            Err(e) => {
                leptos::logging::warn!("ignoring malformed Pusher frame: {e}");
                return;
            }
        };
        match message {
            ServerMessage::ConnectionEstablished { socket_id, activity_timeout } => {
                let channels: Vec<String> = {
                    let mut inner = self.0.borrow_mut();
                    inner.socket_id = Some(socket_id);
                    inner.activity_timeout = effective_activity_timeout(activity_timeout);
                    inner.attempt = 0;
                    inner.state.set(PusherState::Connected);
                    inner.channels.values_mut().for_each(|c| c.subscribed = false);
                    inner.channels.keys().cloned().collect()
                };
                for channel in channels {
                    self.send_subscribe(&channel);
                }
            }
            ServerMessage::Ping => self.send(&ClientMessage::Pong),
            ServerMessage::Pong => {}
            ServerMessage::SubscriptionSucceeded { channel, .. } => self.on_subscription_succeeded(&channel),
            ServerMessage::SubscriptionError { channel, error, .. } => {
                self.on_subscription_error(&channel, &error)
            }
            ServerMessage::Error { code, message } => {
                leptos::logging::warn!("Pusher error {code:?}: {message}");
            }
            ServerMessage::Event { channel, event, data, .. } => self.dispatch(&channel, &event, &data),
            ServerMessage::MemberAdded { .. }
            | ServerMessage::MemberRemoved { .. }
            | ServerMessage::SigninSuccess { .. }
            | ServerMessage::Other { .. } => {}
        }
    }

    fn dispatch(&self, channel: &str, event: &str, data: &Value) {
        let handlers: Vec<Handler> = {
            let mut inner = self.0.borrow_mut();
            let Some(ch) = inner.channels.get_mut(channel) else { return };
            if let Some(id) = data.get("eventId").and_then(Value::as_u64) {
                ch.last_event_id = Some(ch.last_event_id.map_or(id, |last| last.max(id)));
            }
            ch.handlers.iter().filter(|(name, _)| name == event).map(|(_, h)| h.clone()).collect()
        };
        for handler in handlers {
            handler(data);
        }
    }

    fn on_subscription_succeeded(&self, channel: &str) {
        let (callbacks, after) = {
            let mut inner = self.0.borrow_mut();
            let Some(ch) = inner.channels.get_mut(channel) else { return };
            ch.subscribed = true;
            ch.auth_attempt = 0;
            (ch.on_subscribed.clone(), ch.last_event_id)
        };
        for cb in callbacks {
            cb();
        }
        if let Some(after) = after {
            self.catch_up(channel.to_owned(), after);
        }
    }

    fn on_subscription_error(&self, channel: &str, error: &str) {
        let (callbacks, attempt) = {
            let mut inner = self.0.borrow_mut();
            let Some(ch) = inner.channels.get_mut(channel) else { return };
            ch.auth_attempt += 1;
            (ch.on_error.clone(), ch.auth_attempt)
        };
        for cb in callbacks {
            cb(error);
        }
        // A refused auth is often a session refreshed under us: try again, backing off.
        let delay = self.0.borrow().options.backoff.delay(attempt, js_sys::Math::random());
        let (me, channel) = (self.clone(), channel.to_owned());
        set_timeout(move || me.send_subscribe(&channel), delay);
    }

    /// Fetches what the channel missed since `after` and replays it, a page
    /// at a time (the server answers at most 500 events per request).
    fn catch_up(&self, channel: String, mut after: u64) {
        let me = self.clone();
        spawn_local(async move {
            loop {
                let url = format!(
                    "/api/events/replay?after={after}&channel={}",
                    js_sys::encode_uri_component(&channel)
                );
                let replay = match Request::get(&url).send().await {
                    Ok(r) if r.ok() => r.json::<Replay>().await.ok(),
                    _ => None,
                };
                match replay {
                    Some(replay) if replay.complete => {
                        for envelope in replay.events {
                            let name = format!("App\\Events\\{}", envelope.event.echo_name());
                            me.dispatch(&channel, &name, &envelope.event.pusher_data(envelope.id));
                        }
                        // `next_after > after` guards against a server that never advances.
                        if !(replay.more && replay.next_after > after) {
                            return;
                        }
                        after = replay.next_after;
                    }
                    _ => {
                        let callbacks = me.0.borrow().channels.get(&channel).map(|c| c.on_resync.clone());
                        for cb in callbacks.unwrap_or_default() {
                            cb();
                        }
                        return;
                    }
                }
            }
        });
    }

    fn send_subscribe(&self, channel: &str) {
        let (socket_id, endpoint, csrf) = {
            let inner = self.0.borrow();
            let Some(socket_id) = inner.socket_id.clone() else { return };
            (socket_id, inner.options.auth_endpoint.clone(), inner.options.csrf_token.clone())
        };
        if !ChannelKind::of(channel).requires_auth() {
            self.send(&ClientMessage::Subscribe {
                channel: channel.to_owned(),
                auth: None,
                channel_data: None,
            });
            return;
        }
        let (me, channel) = (self.clone(), channel.to_owned());
        spawn_local(async move {
            match authorize(&endpoint, csrf.as_deref(), &socket_id, &channel).await {
                Ok(auth) => {
                    me.send(&ClientMessage::Subscribe { channel, auth: Some(auth), channel_data: None })
                }
                Err(error) => me.on_subscription_error(&channel, &error),
            }
        });
    }

    fn send(&self, message: &ClientMessage) {
        if let Some(socket) = &self.0.borrow().socket
            && socket.ready_state() == WebSocket::OPEN
        {
            let _ = socket.send_with_str(&message.encode());
        }
    }

    /// Once a second: liveness (ping after the activity timeout, reconnect
    /// without a pong) and the 10 s connect timeout.
    fn tick(&self) {
        let (state, check) = {
            let inner = self.0.borrow();
            (inner.state.get_untracked(), inner.activity.check(inner.activity_timeout, now_ms()))
        };
        match state {
            PusherState::Connected => match check {
                Liveness::Fine { .. } => {}
                Liveness::SendPing => {
                    self.0.borrow_mut().activity.record_ping_sent(now_ms());
                    self.send(&ClientMessage::Ping);
                }
                Liveness::Reconnect => self.connect(),
            },
            PusherState::Connecting => {
                let started = self.0.borrow().connect_started;
                if js_sys::Date::now() - started
                    > budtags_pusher::liveness::CONNECT_TIMEOUT.as_millis() as f64
                {
                    self.0.borrow().state.set(PusherState::Unavailable);
                }
            }
            PusherState::Unavailable | PusherState::Failed | PusherState::Disconnected => {}
        }
    }

    fn on_closed(&self, code: u16) {
        self.drop_socket();
        self.reconnect_later(on_close(code));
    }

    fn reconnect_later(&self, decision: Reconnect) {
        let mut inner = self.0.borrow_mut();
        inner.socket_id = None;
        match decision {
            Reconnect::Stop => {
                inner.state.set(PusherState::Failed);
            }
            Reconnect::Immediately | Reconnect::UseTls => {
                if decision == Reconnect::UseTls {
                    inner.options.url = inner.options.url.replacen("ws://", "wss://", 1);
                }
                inner.state.set(PusherState::Connecting);
                let me = self.clone();
                inner.reconnect_timer =
                    set_timeout_with_handle(move || me.connect(), Default::default()).ok();
            }
            Reconnect::Backoff => {
                let online = window().navigator().on_line();
                inner.state.set(if online { PusherState::Connecting } else { PusherState::Disconnected });
                if !online {
                    return; // the `online` listener reconnects
                }
                let delay = inner.options.backoff.delay(inner.attempt, js_sys::Math::random());
                inner.attempt = inner.attempt.saturating_add(1);
                let me = self.clone();
                inner.reconnect_timer = set_timeout_with_handle(move || me.connect(), delay).ok();
            }
        }
    }

    fn drop_socket(&self) {
        let mut inner = self.0.borrow_mut();
        if let Some(socket) = inner.socket.take() {
            let _ = socket.close();
        }
        inner.listeners.clear();
        if let Some(timer) = inner.reconnect_timer.take() {
            timer.clear();
        }
    }

    fn close(&self) {
        self.drop_socket();
        let mut inner = self.0.borrow_mut();
        inner.channels.clear();
        inner.state.set(PusherState::Disconnected);
    }
}

/// `POST {endpoint}` with `socket_id` and `channel_name`, as Echo does.
async fn authorize(
    endpoint: &str,
    csrf: Option<&str>,
    socket_id: &str,
    channel: &str,
) -> Result<String, String> {
    let body = format!(
        "socket_id={}&channel_name={}",
        js_sys::encode_uri_component(socket_id),
        js_sys::encode_uri_component(channel)
    );
    let mut request = Request::post(endpoint).header("Content-Type", "application/x-www-form-urlencoded");
    if let Some(csrf) = csrf {
        request = request.header("X-CSRF-TOKEN", csrf);
    }
    let response = request.body(body).map_err(|e| e.to_string())?.send().await.map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("auth refused (HTTP {})", response.status()));
    }
    let value: Value = response.json().await.map_err(|e| e.to_string())?;
    value
        .get("auth")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "auth answer had no `auth`".into())
}

/// Decodes a Pusher event into a [`RealtimeEvent`] and its sequence number.
pub fn decode_event(name: &str, data: &Value) -> Option<(RealtimeEvent, Option<u64>)> {
    RealtimeEvent::from_pusher(name, data)
}
