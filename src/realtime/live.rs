//! Live updates: picks the transport the server names, decodes its messages,
//! routes them, and carries out the result on the cache ([`super::actions`]),
//! the toasts and the router.

use std::rc::Rc;

use budtags_wire::{License, Me, PusherConfig, RealtimeConfig, RealtimeDriver, RealtimeEvent};
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
use crate::{api::get_json, backoff::Backoff, settings::Monitored, toast::Toasts};

/// Every named SSE event: the stream's own two plus one per event type.
const SSE_EVENTS: [&str; 11] = {
    let names = RealtimeEvent::SSE_NAMES;
    let mut all = ["ready", "resync", "", "", "", "", "", "", "", "", ""];
    let mut i = 0;
    while i < names.len() {
        all[i + 2] = names[i];
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
}

/// Handles one decoded message: route it, then carry it out.
type OnIncoming = Rc<dyn Fn(Incoming, &RouteContext)>;

/// Opens the app's live connection, with the transport the server's
/// `/api/realtime/config` names (SSE when it cannot be read, or when Pusher
/// needs a session and there is none), and provides its state as context.
pub fn provide_live_updates(client: QueryClient, toasts: Toasts, monitored: Monitored) {
    let navigate_to = RwSignal::new(None);
    let state = RwSignal::new(ConnectionState::Connecting);
    provide_context(LiveConnection { state: state.into(), navigate_to });
    let on_incoming: OnIncoming = Rc::new(move |incoming, context| {
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
    let owner = Owner::current().expect("called inside the App component");
    spawn_local(async move {
        let config = get_json::<RealtimeConfig>("/api/realtime/config").await;
        let config_driver = config.as_ref().ok().map(|c| c.driver);
        let pusher = match config {
            Ok(RealtimeConfig { driver: RealtimeDriver::Pusher, pusher: Some(pusher) }) => {
                match get_json::<Me>("/api/me").await {
                    Ok(me) => Some((pusher, me)),
                    Err(e) => {
                        leptos::logging::warn!("Pusher needs a session ({e}); using SSE instead");
                        None
                    }
                }
            }
            _ => None,
        };
        let licenses = get_json::<Vec<License>>("/api/licenses").await.unwrap_or_default();
        let websocket = matches!(config_driver, Some(RealtimeDriver::Websocket));
        owner.with(move || match pusher {
            Some((config, me)) => connect_pusher(config, me, licenses, state, on_incoming),
            None if websocket => connect_websocket(licenses, state, on_incoming),
            None => connect_sse(licenses, state, on_incoming),
        });
    });
}

/// SSE and `/ws` carry every license's package updates: all lists are patched.
/// (Monitored licenses are filled in per message, from the live setting.)
fn all_patched(licenses: Vec<License>) -> RouteContext {
    RouteContext {
        monitored_licenses: Vec::new(),
        patched_licenses: licenses.into_iter().map(|l| l.license_number).collect(),
    }
}

fn connect_websocket(licenses: Vec<License>, state: RwSignal<ConnectionState>, on_incoming: OnIncoming) {
    let context = all_patched(licenses);
    let location = window().location();
    let scheme = if location.protocol().is_ok_and(|p| p == "https:") { "wss" } else { "ws" };
    let url = format!("{scheme}://{}/ws", location.host().unwrap_or_default());
    let ws = use_websocket(url, Rc::new(move |incoming| on_incoming(incoming, &context)));
    Effect::new(move |_| state.set(ws.get()));
}

fn connect_sse(licenses: Vec<License>, state: RwSignal<ConnectionState>, on_incoming: OnIncoming) {
    let context = all_patched(licenses);
    let on_message = Rc::new(move |name: &str, id: Option<u64>, data: &str| {
        let incoming = match name {
            "resync" => Incoming::Resync,
            "ready" => return,
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
    let sse = use_event_source("/api/events", &SSE_EVENTS, on_message);
    Effect::new(move |_| state.set(sse.get()));
}

fn connect_pusher(
    config: PusherConfig,
    me: Me,
    licenses: Vec<License>,
    state: RwSignal<ConnectionState>,
    on_incoming: OnIncoming,
) {
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
    for name in channels {
        let mut channel = echo.private(&name);
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
}

/// Every event class the app listens for on its Pusher channels.
const ECHO_EVENTS: [&str; 9] = [
    "PackageUpdated",
    "InventoryUpdated",
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
/// signal changes; SSE and `/ws` already carry every event of the organization,
/// so there it does nothing.
/// TODO(session helper): implement for Pusher.
pub fn use_follow_channel(channel: impl Fn() -> Option<String> + Send + Sync + 'static) {
    let _ = channel;
}

pub fn use_live_connection() -> Signal<ConnectionState> {
    expect_context::<LiveConnection>().state
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
