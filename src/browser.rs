//! The browser environment as signals: is the tab visible, is the network up.
//! Provided once at the root; queries read it through [`use_browser_env`],
//! and tests could provide other signals instead.

use leptos::{ev, prelude::*};
use leptos_use_document_visibility::use_document_visibility;
use leptos_use_event_listener::use_event_listener;
use web_sys::VisibilityState;

#[derive(Clone, Copy)]
pub struct BrowserEnv {
    pub visible: Signal<bool>,
    pub online: Signal<bool>,
    /// Multiplies every poll interval and stale time: `1.0` normally. Set
    /// `localStorage["budtags.pollScale"]` (e.g. `0.05`) to watch or test
    /// polling without waiting 30 s.
    pub poll_scale: f64,
}

pub fn provide_browser_env() {
    let visibility = use_document_visibility();
    let visible = Signal::derive(move || visibility.get() != VisibilityState::Hidden);
    let online = RwSignal::new(window().navigator().on_line());
    let _ = use_event_listener(window(), ev::online, move |_| online.set(true));
    let _ = use_event_listener(window(), ev::offline, move |_| online.set(false));
    let poll_scale = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item("budtags.pollScale").ok().flatten())
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v > 0.0)
        .unwrap_or(1.0);
    provide_context(BrowserEnv { visible, online: online.into(), poll_scale });
}

pub fn use_browser_env() -> BrowserEnv {
    expect_context::<BrowserEnv>()
}

/// Registers `/sw.js` (scope `/`) where the browser allows service workers
/// (a secure context: HTTPS, or localhost). Failing to is only logged: the
/// app works without it, just not offline.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else { return };
    if !window.is_secure_context() {
        return;
    }
    let promise = window.navigator().service_worker().register("/sw.js");
    // Before the app mounts Leptos' executor is not set up yet.
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
            leptos::logging::warn!("no offline shell: {e:?}");
        }
    });
}
