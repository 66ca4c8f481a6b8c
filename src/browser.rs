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
}

pub fn provide_browser_env() {
    let visibility = use_document_visibility();
    let visible = Signal::derive(move || visibility.get() != VisibilityState::Hidden);
    let online = RwSignal::new(window().navigator().on_line());
    let _ = use_event_listener(window(), ev::online, move |_| online.set(true));
    let _ = use_event_listener(window(), ev::offline, move |_| online.set(false));
    provide_context(BrowserEnv { visible, online: online.into() });
}

pub fn use_browser_env() -> BrowserEnv {
    expect_context::<BrowserEnv>()
}
