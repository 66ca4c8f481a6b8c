//! BudTags reference server: the JSON API under `/api`, sign-in, realtime
//! events (SSE, a raw WebSocket, and a built-in Pusher protocol server with
//! Laravel Echo's conventions), and the built web app, backed by embedded SQLite.
//!
//! # Layout
//! - [`config`]: command-line flags and environment variables.
//! - [`db`]: opening SQLite, migrations, deterministic demo data (including
//!   demo users), queries per resource.
//! - [`error`]: the one error enum, mapped exhaustively to HTTP statuses.
//! - [`auth`]: the session cookie, the [`auth::CurrentUser`] extractor, CSRF,
//!   password hashing; [`sessions`]: `/api/login`, `/api/logout`, `/api/me`.
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
//!
//! Lifecycle is passed in: [`serve`] takes a listener and a shutdown future, so
//! tests start the whole server on a free port and stop it when they are done.

pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod jobs;
pub mod labels;
pub mod licenses;
pub mod packages;
pub mod precompress;
pub mod realtime;
pub mod sessions;
pub mod simulator;
pub mod sse;
pub mod transfers;

use std::{future::Future, net::SocketAddr, path::Path, sync::Arc, time::Duration};

use axum::Router;
use tokio::net::TcpListener;
use tower_http::{
    CompressionLevel,
    compression::CompressionLayer,
    services::{ServeDir, ServeFile},
    trace::TraceLayer,
};

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
        .with_state(state)
}

/// `/api` plus the realtime routes Echo and Pusher clients expect at the root
/// (`/broadcasting/auth`, `/app/{key}`, `/apps/{app_id}/events`, `/ws`), without static files.
pub fn routes(state: AppState) -> Router {
    Router::new().nest("/api", api(state.clone())).merge(realtime::root_router().with_state(state))
}

/// The whole application: [`routes`] plus the built web app from `dist`, with
/// `index.html` answering every other path so client-side routes survive a reload.
pub fn app(state: AppState, dist: &Path) -> Router {
    // `.br` / `.gz` copies ([`precompress`]) are sent as they are when present;
    // the compression layer leaves responses that already have an encoding alone.
    let index = ServeFile::new(dist.join("index.html")).precompressed_br().precompressed_gzip();
    let spa = ServeDir::new(dist).precompressed_br().precompressed_gzip().fallback(index);
    let compression = CompressionLayer::new().quality(LIVE_COMPRESSION);
    routes(state).fallback_service(spa).layer(compression).layer(TraceLayer::new_for_http())
}

/// Responses built per request (a 10,000-package list is ~4.8 MB of JSON)
/// are compressed at level 1: for a 3.9 MB list brotli's default took
/// 150–170 ms (213 KB), level 1 takes 53 ms (267 KB) of which 40 ms is
/// reading and serializing the list (docs/performance.md).
/// The web app's static files are compressed once, at the best level.
const LIVE_COMPRESSION: CompressionLevel = CompressionLevel::Precise(1);

/// Serves `app` on `listener` until `shutdown` completes, then drains
/// connections. Each request carries its peer's address
/// (`ConnectInfo<SocketAddr>`), for the sign-in limits ([`auth::client`]).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
