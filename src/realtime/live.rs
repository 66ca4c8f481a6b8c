//! Live updates: picks the transport the server names, decodes its messages,
//! routes them, and carries out the result on the cache ([`super::actions`]),
//! the toasts and the router.

use std::rc::Rc;

use std::time::Duration;

use budtags_wire::{
    DEFAULT_HEARTBEAT_MS, License, Me, PusherConfig, RealtimeConfig, RealtimeDriver, RealtimeEvent,
    SSE_HEARTBEAT,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_fetch::QueryClient;
use leptos_router::hooks::use_navigate;

use super::{
    ConnectionState,
    actions::apply,
    pusher::{Echo, Pusher, PusherOptions, PusherState},
    router::{Incoming, RouteContext, route},
    sse::use_event_source,
    websocket::use_websocket,
};
use crate::{
    api::get_json, backoff::Backoff, chunks::ChunkMissing, session::Session, settings::Monitored,
    toast::Toasts,
};

/// Every named SSE event: the stream's own three plus one per event type.
const SSE_EVENTS: [&str; 13] = {
    let names = RealtimeEvent::SSE_NAMES;
    let mut all = ["ready", "resync", SSE_HEARTBEAT, "", "", "", "", "", "", "", "", "", ""];
    let mut i = 0;
    while i < names.len() {
        all[i + 3] = names[i];
        i += 1;
    }
    all
};

/// The live connection's state, for the status bar and covered queries.
#[derive(Clone, Copy)]
pub struct LiveConnection {
    pub state: Signal<ConnectionState>,
    /// Where an event asked the app to go (read by [`LiveNavigator`]).
    navigate_to: RwSignal<Option<String>>,
    /// The latest `PackageUpdate` seen: (package id, revision), for pages
    /// that show one package.
    pub last_package: Signal<Option<(i64, u64)>>,
    /// The open Pusher connection, for [`use_follow_channel`] (`None` on SSE
    /// and `/ws`, and while signed out).
    followers: RwSignal<Option<Follower>, LocalStorage>,
}

/// Following one more Pusher channel. Made by the Pusher chunk, so the main
/// module holds no Pusher code.
#[derive(Clone)]
struct Follower {
    /// Tells connections apart: a new sign-in makes a new one.
    id: u64,
    /// Subscribes to a channel with the app's listeners; the result leaves it.
    follow: Rc<dyn Fn(&str) -> Leave>,
}

/// Leaves a channel [`Follower::follow`] joined.
type Leave = Box<dyn FnOnce()>;

/// Handles one decoded message: route it, then carry it out.
type OnIncoming = Rc<dyn Fn(Incoming, &RouteContext)>;

/// Opens the app's live connection while someone is signed in, with the
/// transport the server's `/api/realtime/config` names (SSE when it cannot be
/// read), for the signed-in organization's licenses; closes it on sign-out
/// and opens a new one for the next person. Provides its state as context.
pub fn provide_live_updates(client: QueryClient, toasts: Toasts, monitored: Monitored, session: Session) {
    let navigate_to = RwSignal::new(None);
    let state = RwSignal::new(ConnectionState::Connecting);
    let last_package = RwSignal::new(None);
    let followers = RwSignal::new_local(None);
    provide_context(LiveConnection {
        state: state.into(),
        navigate_to,
        last_package: last_package.into(),
        followers,
    });
    let on_incoming: OnIncoming = Rc::new(move |incoming, context| {
        if let Incoming::Event { event, .. } = &incoming
            && let RealtimeEvent::PackageUpdate { data, .. } = event.as_ref()
        {
            last_package.set(Some((data.id, data.revision)));
        }
        let context = RouteContext { monitored_licenses: monitored.get_untracked(), ..context.clone() };
        let routed = route(incoming, &context);
        for action in routed.actions {
            apply(client, action);
        }
        if let Some(toast) = routed.toast {
            toasts.show(toast);
        }
        if let Some(path) = routed.navigate {
            navigate_to.set(Some(path));
        }
    });
    // One connection per signed-in person (and CSRF token).
    let signed_in = Memo::new(move |_| session.me.get());
    let connection = StoredValue::new_local(None::<Owner>);
    let generation = StoredValue::new(0_u64);
    let parent = Owner::current().expect("called inside the App component");
    Effect::new(move |_| {
        let me = signed_in.get();
        if let Some(old) = connection.try_update_value(Option::take).flatten() {
            old.cleanup();
        }
        followers.set(None);
        state.set(ConnectionState::Connecting);
        generation.update_value(|g| *g += 1);
        let Some(me) = me else { return };
        let this = generation.get_value();
        let owner = parent.child();
        connection.set_value(Some(owner.clone()));
        let on_incoming = on_incoming.clone();
        spawn_local(async move {
            let config = get_json::<RealtimeConfig>("/api/realtime/config").await;
            let licenses = match get_json::<Vec<License>>("/api/licenses").await {
                Ok(licenses) => licenses,
                Err(e) => {
                    leptos::logging::warn!("live updates without the license list: {e}");
                    Vec::new()
                }
            };
            if generation.try_get_value() != Some(this) {
                return; // signed out (or in as someone else) meanwhile
            }
            let heartbeat =
                Duration::from_millis(config.as_ref().map_or(DEFAULT_HEARTBEAT_MS, |c| c.heartbeat_ms));
            // SSE is in the main module; the other two transports are chunks,
            // fetched only by a browser whose server names them.
            let current = move || generation.try_get_value() == Some(this);
            let opened = match config {
                Ok(RealtimeConfig { driver: RealtimeDriver::Pusher, pusher: Some(pusher), .. }) => {
                    match load_pusher_transport().await {
                        Ok(()) if current() => open_pusher(owner, pusher, me, licenses, state, on_incoming)
                            .await
                            .map(|follower| {
                                followers.set(Some(follower));
                            }),
                        loaded => loaded.map_err(ChunkMissing::from),
                    }
                }
                Ok(RealtimeConfig { driver: RealtimeDriver::Websocket, .. }) => {
                    match load_websocket_transport().await {
                        Ok(()) if current() => {
                            open_websocket(owner, licenses, heartbeat, state, on_incoming).await
                        }
                        loaded => loaded.map_err(ChunkMissing::from),
                    }
                }
                _ => {
                    owner.with(move || connect_sse(licenses, heartbeat, state, on_incoming));
                    Ok(())
                }
            };
            if opened.is_err() && current() {
                leptos::logging::warn!(
                    "the live transport's chunk could not be loaded; the pages poll instead"
                );
                state.set(ConnectionState::Failed);
            }
        });
    });
}

/// The Pusher transport, in its own chunk.
#[leptos::wasm_split::wasm_split(
    pusher_transport,
    fallible,
    preload(load_pusher_transport),
    wasm_split_path = ::leptos::wasm_split
)]
fn open_pusher(
    owner: Owner,
    config: PusherConfig,
    me: Me,
    licenses: Vec<License>,
    state: RwSignal<ConnectionState>,
    on_incoming: OnIncoming,
) -> Result<Follower, ChunkMissing> {
    Ok(owner.with(move || connect_pusher(config, me, licenses, state, on_incoming)))
}

/// The `/ws` transport, in its own chunk.
#[leptos::wasm_split::wasm_split(
    websocket_transport,
    fallible,
    preload(load_websocket_transport),
    wasm_split_path = ::leptos::wasm_split
)]
fn open_websocket(
    owner: Owner,
    licenses: Vec<License>,
    heartbeat: Duration,
    state: RwSignal<ConnectionState>,
    on_incoming: OnIncoming,
) -> Result<(), ChunkMissing> {
    owner.with(move || connect_websocket(licenses, heartbeat, state, on_incoming));
    Ok(())
}

/// SSE and `/ws` carry every license's package updates: all lists are patched.
/// (Monitored licenses are filled in per message, from the live setting.)
fn all_patched(licenses: Vec<License>) -> RouteContext {
    RouteContext {
        monitored_licenses: Vec::new(),
        patched_licenses: licenses.into_iter().map(|l| l.license_number).collect(),
    }
}

fn connect_websocket(
    licenses: Vec<License>,
    heartbeat: Duration,
    state: RwSignal<ConnectionState>,
    on_incoming: OnIncoming,
) {
    let context = all_patched(licenses);
    let location = window().location();
    let scheme = if location.protocol().is_ok_and(|p| p == "https:") { "wss" } else { "ws" };
    let url = format!("{scheme}://{}/ws", location.host().unwrap_or_default());
    let ws = use_websocket(url, heartbeat, Rc::new(move |incoming| on_incoming(incoming, &context)));
    Effect::new(move |_| state.set(ws.get()));
}

fn connect_sse(
    licenses: Vec<License>,
    heartbeat: Duration,
    state: RwSignal<ConnectionState>,
    on_incoming: OnIncoming,
) {
    let context = all_patched(licenses);
    let on_message = Rc::new(move |name: &str, id: Option<u64>, data: &str| {
        let incoming = match name {
            "resync" => Incoming::Resync,
            "ready" | SSE_HEARTBEAT => return,
            _ => match serde_json::from_str::<RealtimeEvent>(data) {
                Ok(event) => Incoming::Event { event: Box::new(event), id },
                Err(e) => {
                    leptos::logging::warn!("ignoring malformed `{name}` event: {e}");
                    return;
                }
            },
        };
        on_incoming(incoming, &context);
    });
    let sse = use_event_source("/api/events", &SSE_EVENTS, heartbeat, on_message);
    Effect::new(move |_| state.set(sse.get()));
}

fn connect_pusher(
    config: PusherConfig,
    me: Me,
    licenses: Vec<License>,
    state: RwSignal<ConnectionState>,
    on_incoming: OnIncoming,
) -> Follower {
    let location = window().location();
    let host = config.host.clone().unwrap_or_else(|| location.hostname().unwrap_or_default());
    let port = config.port.map(|p| p.to_string()).unwrap_or_else(|| location.port().unwrap_or_default());
    let scheme = if config.tls { "wss" } else { "ws" };
    let authority = if port.is_empty() { host } else { format!("{host}:{port}") };
    let pusher = Pusher::new(PusherOptions {
        url: format!("{scheme}://{authority}/app/{}", config.key),
        auth_endpoint: config.auth_endpoint,
        csrf_token: Some(me.csrf_token.clone()),
        backoff: Backoff::default(),
    });
    let ours: Vec<String> = licenses
        .into_iter()
        .filter(|l| l.organization_id == me.organization_id)
        .map(|l| l.license_number)
        .collect();
    let context = Rc::new(RouteContext { monitored_licenses: Vec::new(), patched_licenses: ours.clone() });
    let echo = Echo::new(pusher.clone());
    let mut channels =
        vec![format!("org.{}", me.organization_id), format!("org.{}.inventory", me.organization_id)];
    channels.extend(ours.iter().map(|l| format!("license.{l}")));
    let follow: Rc<dyn Fn(&str) -> Leave> = Rc::new(move |name| {
        listen_all(&echo, &on_incoming, &context, name);
        let (echo, name) = (echo.clone(), name.to_owned());
        Box::new(move || echo.leave(&name))
    });
    for name in channels {
        // The app's own channels are held for the connection's life: never left.
        let _ = follow(&name);
    }
    static CONNECTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let id = CONNECTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let follower = Follower { id, follow };
    let pusher_state = pusher.state();
    Effect::new(move |was_connected: Option<bool>| {
        let next = match pusher_state.get() {
            PusherState::Connected => ConnectionState::Connected,
            PusherState::Connecting if was_connected.is_none_or(|w| !w) => ConnectionState::Connecting,
            PusherState::Connecting | PusherState::Unavailable => ConnectionState::Reconnecting,
            PusherState::Disconnected => ConnectionState::Offline,
            PusherState::Failed => ConnectionState::Failed,
        };
        state.set(next);
        was_connected.unwrap_or(false) || next == ConnectionState::Connected
    });
    follower
}

/// Listens on `channel` for every event the app handles, and for resyncs.
fn listen_all(echo: &Echo, on_incoming: &OnIncoming, context: &Rc<RouteContext>, name: &str) {
    let mut channel = echo.private(name);
    for event in ECHO_EVENTS {
        let (on_incoming, context) = (on_incoming.clone(), context.clone());
        channel = channel.listen_raw(event, move |data| match RealtimeEvent::from_pusher(event, data) {
            Some((event, id)) => on_incoming(Incoming::Event { event: Box::new(event), id }, &context),
            None => leptos::logging::warn!("ignoring `{event}` with unexpected data"),
        });
    }
    let (on_incoming, context) = (on_incoming.clone(), context.clone());
    let _ = channel.resync(move || on_incoming(Incoming::Resync, &context));
}

/// Every event class the app listens for on its Pusher channels.
const ECHO_EVENTS: [&str; 10] = [
    "PackageUpdated",
    "InventoryUpdated",
    "LabelRequested",
    "LabelApproved",
    "LabelRejected",
    "PackageCheckedIn",
    "TransferCompleted",
    "JobProgressUpdated",
    "JobCompleted",
    "JobFailed",
];

/// Follows one more channel (`transfer.7`, `job.abc`) while the calling
/// component lives: on Pusher it subscribes to `private-{channel}` with the
/// app's listeners and leaves it on cleanup, and follows the new name when the
/// signal changes (or the connection is replaced); SSE and `/ws` already carry
/// every event of the organization, so there it does nothing.
/// Pass only channels the app does not already hold (not `org.*`/`license.*`).
pub fn use_follow_channel(channel: impl Fn() -> Option<String> + Send + Sync + 'static) {
    let followers = expect_context::<LiveConnection>().followers;
    let held = StoredValue::new_local(None::<(Leave, String, u64)>);
    let leave = move || {
        if let Some((leave, _, _)) = held.try_update_value(Option::take).flatten() {
            leave();
        }
    };
    Effect::new(move |_| {
        let name = channel();
        let follower = followers.get();
        let same = held.with_value(|h| match (h, &follower, &name) {
            (Some((_, held_name, id)), Some(f), Some(name)) => held_name == name && *id == f.id,
            _ => false,
        });
        if same {
            return;
        }
        leave();
        if let (Some(follower), Some(name)) = (follower, name) {
            let left = (follower.follow)(&name);
            held.set_value(Some((left, name, follower.id)));
        }
    });
    on_cleanup(leave);
}

pub fn use_live_connection() -> Signal<ConnectionState> {
    expect_context::<LiveConnection>().state
}

/// The latest `PackageUpdate` the live connection carried: (package id, revision).
pub fn use_last_package_change() -> Signal<Option<(i64, u64)>> {
    expect_context::<LiveConnection>().last_package
}

/// Carries out navigations events ask for; lives inside the `<Router>`.
#[component]
pub fn LiveNavigator() -> impl IntoView {
    let live = expect_context::<LiveConnection>();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(path) = live.navigate_to.get() {
            live.navigate_to.set(None);
            navigate(&path, Default::default());
        }
    });
}
