//! BudTags web: live Metrc inventory in the browser (Leptos, client-side rendered).
//!
//! # Layout
//! - [`api`]: HTTP calls and the one `ApiError`.
//! - [`query`]: the query layer on leptos-fetch: scopes, poll policies, cache patches.
//! - [`realtime`]: event transports and the pure event router.
//! - [`backoff`]: full-jitter exponential delays, for retries and reconnects.
//! - [`browser`]: the browser environment (visibility, online) as signals.
//! - [`session`]: who is signed in and what their role allows.
//! - [`settings`]: the person's settings (monitored licenses), in localStorage.
//! - [`toast`]: toasts (pure queue + host component).
//! - [`ui`]: shared components; [`pages`]: one file per page.
//!
//! Modules that decide (`query::poll`, `query::patch`, `realtime::router`,
//! `backoff`) use no browser APIs and are tested natively.

pub mod api;
pub mod app;
pub mod backoff;
pub mod browser;
mod chunks;
pub mod idb;
pub mod outbox;
pub mod pages;
pub mod query;
pub mod realtime;
pub mod session;
pub mod settings;
pub mod toast;
pub mod ui;

/// Mounts the app on `<body>`, and registers the service worker that keeps
/// the app shell for a reload without the network (`public/sw.js`).
pub fn start() {
    console_error_panic_hook::set_once();
    browser::register_service_worker();
    leptos::mount::mount_to_body(app::App);
}
