//! BudTags reference server: the JSON API under `/api`, realtime events, and
//! the built web app, backed by embedded SQLite.
//!
//! # Layout
//! - [`config`]: command-line flags and environment variables.
//! - [`db`]: opening SQLite, migrations, deterministic demo data, queries.
//! - [`error`]: the one error enum, mapped exhaustively to HTTP statuses.
//! - [`events`]: the event bus: every state change is logged and broadcast.
//! - [`licenses`], [`packages`]: one module per resource, each owning its `router()`.
//! - [`sse`]: the Server-Sent Events stream with `Last-Event-ID` replay.
//! - [`simulator`]: live demo activity.
//!
//! Lifecycle is passed in: [`serve`] takes a listener and a shutdown future, so
//! tests start the whole server on a free port and stop it when they are done.

pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod licenses;
pub mod packages;
pub mod simulator;
pub mod sse;

use std::{future::Future, path::Path, sync::Arc};

use axum::Router;
use tokio::net::TcpListener;
use tower_http::{
    compression::CompressionLayer,
    services::{ServeDir, ServeFile},
    trace::TraceLayer,
};

pub use db::Store;
pub use events::EventBus;

/// Everything a request handler may touch.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub events: Arc<EventBus>,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        let events = Arc::new(EventBus::new(store.clone()));
        Self { store, events }
    }
}

/// The API routes, without static files: what the API tests call.
pub fn api(state: AppState) -> Router {
    Router::new()
        .merge(licenses::router())
        .merge(packages::router())
        .merge(sse::router())
        .fallback(|| async { error::Error::NotFound("No such API endpoint.".into()) })
        .with_state(state)
}

/// The whole application: `/api` plus the built web app from `dist`, with
/// `index.html` answering every other path so client-side routes survive a reload.
pub fn app(state: AppState, dist: &Path) -> Router {
    let spa = ServeDir::new(dist).fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .nest("/api", api(state))
        .fallback_service(spa)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Serves `app` on `listener` until `shutdown` completes, then drains connections.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
