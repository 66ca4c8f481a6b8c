//! BudTags reference server: the JSON API under `/api`, sign-in, realtime
//! events (SSE, a raw WebSocket, and a built-in Pusher protocol server with
//! Laravel Echo's conventions), and the built web app, backed by embedded SQLite.
//!
//! # Layout
//! - [`config`]: command-line flags and environment variables.
//! - [`connections`]: the accept loop: connection cap, header, request and
//!   body timeouts, graceful drain ([`serve`], [`serve_with`]).
//! - [`db`]: opening SQLite, migrations, deterministic demo data (including
//!   demo users), queries per resource.
//! - [`error`]: the one error enum, mapped exhaustively to HTTP statuses.
//! - [`auth`]: the session cookie, the [`auth::CurrentUser`] extractor, CSRF,
//!   password hashing; [`sessions`]: `/api/login`, `/api/logout`, `/api/me`.
//! - [`extract`]: `Json`, `Query`, `Path`, `Form` whose rejections are the
//!   JSON error body.
//! - [`event_id`]: the event id a reconnecting client resumes after (0 to `i64::MAX`).
//! - [`events`]: the event bus: every state change is logged, then published
//!   through each broadcaster.
//! - [`licenses`], [`packages`], [`transfers`], [`labels`], [`jobs`]: one
//!   module per resource, each owning its `router()`, each scoped to the
//!   signed-in organization.
//! - [`sse`]: the Server-Sent Events stream with `Last-Event-ID` replay.
//! - [`realtime`]: channel authorization (`/broadcasting/auth`), the
//!   broadcasters (in-process, external Pusher server), the built-in Pusher
//!   endpoint `/app/{key}` and trigger API, `/ws`, replay and client config.
//! - [`simulator`]: live demo activity.
//! - [`precompress`]: brotli and gzip copies of the built web app.
//! - [`security_headers`]: the Content-Security-Policy (with the hashes of
//!   `index.html`'s inline scripts) and the other headers on every response.
//!
//! Lifecycle is passed in: [`serve`] takes a listener and a shutdown future, so
//! tests start the whole server on a free port and stop it when they are done.

pub mod auth;
pub mod config;
pub mod connections;
pub mod db;
pub mod error;
pub mod event_id;
pub mod events;
pub mod extract;
pub mod jobs;
pub mod labels;
pub mod licenses;
pub mod packages;
pub mod precompress;
pub mod realtime;
pub mod security_headers;
pub mod sessions;
pub mod simulator;
pub mod sse;
pub mod static_files;
pub mod transfers;

use std::{path::Path, sync::Arc, time::Duration};

use axum::{Router, extract::DefaultBodyLimit};
use tower_http::{CompressionLevel, compression::CompressionLayer, trace::TraceLayer};

pub use connections::{Limits, serve, serve_with};
pub use db::Store;
pub use events::EventBus;
pub use realtime::RealtimeSettings;

use realtime::{Broadcast, Realtime, broadcaster::Broadcaster, external::ExternalPusher};

/// Everything a request handler may touch.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub events: Arc<EventBus>,
    pub realtime: Arc<Realtime>,
    /// How long a label job spends on each label (tests shorten it).
    pub label_delay: Duration,
    /// Sign-in limits, session rules and the sessions open streams belong to.
    pub auth: Arc<auth::Auth>,
}

/// The default pause per label in a label job: long enough to watch progress.
pub const LABEL_DELAY: Duration = Duration::from_millis(250);

impl AppState {
    /// Default realtime settings: SSE for the app, in-process broadcasting,
    /// the default Pusher app credentials.
    pub fn new(store: Store) -> Self {
        Self::with_realtime(store, RealtimeSettings::default())
    }

    /// With these realtime settings. Broadcasting to an external server spawns
    /// its worker task, so call this inside a Tokio runtime in that case.
    pub fn with_realtime(store: Store, settings: RealtimeSettings) -> Self {
        let others: Vec<Arc<dyn Broadcaster>> = match &settings.broadcast {
            Broadcast::InProcess => Vec::new(),
            Broadcast::External(server) => {
                vec![Arc::new(ExternalPusher::spawn(server.clone(), settings.app.clone()))]
            }
        };
        let events = Arc::new(EventBus::with_broadcasters(store.clone(), others));
        let auth = Arc::new(auth::Auth::new(store.clone(), auth::AuthSettings::default()));
        Self { store, events, realtime: Arc::new(Realtime::new(settings)), label_delay: LABEL_DELAY, auth }
    }

    /// With these sign-in and session settings instead of the defaults.
    pub fn with_auth(mut self, settings: auth::AuthSettings) -> Self {
        self.auth = Arc::new(auth::Auth::new(self.store.clone(), settings));
        self
    }
}

/// The API routes, without static files: what the API tests call.
pub fn api(state: AppState) -> Router {
    Router::new()
        .merge(licenses::router())
        .merge(packages::router())
        .merge(transfers::router())
        .merge(labels::router())
        .merge(jobs::router())
        .merge(sse::router())
        .merge(sessions::router())
        .merge(realtime::api_router())
        .fallback(|| async { error::Error::NotFound("No such API endpoint.".into()) })
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// The largest request body the API reads. The largest real one is a label
/// job of 500 ids, about 4 KB; a check-in is under 200 bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A 405 in the JSON error shape (axum keeps the `Allow` header).
async fn method_not_allowed() -> error::Error {
    error::Error::MethodNotAllowed("This address does not take that method.".into())
}

/// `/api` plus the realtime routes Echo and Pusher clients expect at the root
/// (`/broadcasting/auth`, `/app/{key}`, `/apps/{app_id}/events`, `/ws`), without static files.
pub fn routes(state: AppState) -> Router {
    let root = realtime::root_router()
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state.clone());
    Router::new().nest("/api", api(state)).merge(root)
}

/// The whole application: [`routes`] plus the built web app from `dist`, with
/// `index.html` answering every other path so client-side routes survive a reload.
pub fn app(state: AppState, dist: &Path) -> Router {
    // The compression layer leaves the precompressed copies the static files
    // send (they already have an encoding) alone.
    let compression = CompressionLayer::new().quality(LIVE_COMPRESSION);
    // Read once: the policy names the inline scripts of the file being served.
    let index_html = std::fs::read_to_string(dist.join("index.html")).ok();
    let policy = security_headers::app_policy(index_html.as_deref(), &state.realtime.settings);
    let router = routes(state).fallback_service(static_files::router(dist)).layer(compression);
    security_headers::apply(router, &policy).layer(TraceLayer::new_for_http())
}

/// Responses built per request (a 10,000-package list is ~4.8 MB of JSON)
/// are compressed at level 1: for a 3.9 MB list brotli's default took
/// 150–170 ms (213 KB), level 1 takes 53 ms (267 KB) of which 40 ms is
/// reading and serializing the list (docs/performance.md).
/// The web app's static files are compressed once, at the best level.
const LIVE_COMPRESSION: CompressionLevel = CompressionLevel::Precise(1);
