//! How this server does realtime: the Pusher app credentials, where events
//! are broadcast, and what the browser is told (`GET /api/realtime/config`).

use std::time::Duration;

use budtags_wire::{PusherConfig, RealtimeConfig, RealtimeDriver};

/// Echo's default channel-auth endpoint, which this server serves.
pub const AUTH_ENDPOINT: &str = "/broadcasting/auth";

/// The `activity_timeout` the built-in Pusher endpoint announces (Reverb's and Soketi's).
pub const ACTIVITY_TIMEOUT: Duration = Duration::from_secs(30);

/// A Pusher app: the id names it in the HTTP API, the key is public (it is in
/// the socket URL and every auth string), the secret signs.
///
/// There is no default: a known secret let anyone sign every private channel
/// and trigger events. The server keeps a generated one in its database
/// ([`crate::db::app_secrets`], [`super::credentials`]); tests use [`PusherApp::random`].
#[derive(Clone, PartialEq, Eq)]
pub struct PusherApp {
    pub id: String,
    pub key: String,
    pub secret: String,
}

/// The id when none is given: it is public, in the trigger API's path.
pub const DEFAULT_APP_ID: &str = "budtags";

impl PusherApp {
    /// App [`DEFAULT_APP_ID`] with a fresh random key (32 hex digits) and
    /// secret (64), from the OS random number generator.
    pub fn random() -> Self {
        Self { id: DEFAULT_APP_ID.into(), key: random_hex(16), secret: random_hex(32) }
    }
}

impl std::fmt::Debug for PusherApp {
    /// The secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PusherApp")
            .field("id", &self.id)
            .field("key", &self.key)
            .field("secret", &"…")
            .finish()
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // Without an OS random number generator no session token could be made either.
    getrandom::fill(&mut buf).expect("the operating system's random number generator");
    hex::encode(buf)
}

/// Where committed events go besides this process's own subscribers (SSE,
/// `/ws` and the built-in Pusher endpoint always get them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Broadcast {
    /// Nowhere else: clients use this server's endpoints.
    InProcess,
    /// Also to an external Pusher-protocol server (Reverb, Soketi, Sockudo,
    /// or another BudTags server) through its HTTP trigger API.
    External(ExternalServer),
}

/// An external Pusher-protocol server. Its HTTP API is called over plain
/// HTTP at `host:port`; browsers are sent there too (over `wss` when `tls`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalServer {
    pub host: String,
    pub port: u16,
    pub tls: bool,
}

/// Everything realtime, with defaults that need no configuration (a fresh
/// random Pusher app: see [`PusherApp`]).
#[derive(Clone, Debug, PartialEq)]
pub struct RealtimeSettings {
    /// The transport the app is told to use.
    pub driver: RealtimeDriver,
    pub app: PusherApp,
    pub broadcast: Broadcast,
    /// Whether browsers reach the built-in Pusher endpoint over `wss`
    /// (behind a TLS-terminating proxy).
    pub tls: bool,
    /// The built-in Pusher endpoint's `activity_timeout`.
    pub activity_timeout: Duration,
    /// How long a built-in Pusher socket may hold no channel (from its start,
    /// or its last unsubscribe) before it is closed: a socket that hears
    /// nothing only holds a file descriptor.
    pub subscription_timeout: Duration,
    /// How often SSE and `/ws` streams send a heartbeat the app watches.
    pub heartbeat: Duration,
}

/// The default [`RealtimeSettings::subscription_timeout`]: Echo subscribes
/// within a second of connecting.
pub const SUBSCRIPTION_TIMEOUT: Duration = Duration::from_secs(30);

/// The default [`RealtimeSettings::heartbeat`].
pub const HEARTBEAT: Duration = Duration::from_millis(budtags_wire::DEFAULT_HEARTBEAT_MS);

impl Default for RealtimeSettings {
    fn default() -> Self {
        Self {
            driver: RealtimeDriver::Sse,
            app: PusherApp::random(),
            broadcast: Broadcast::InProcess,
            tls: false,
            activity_timeout: ACTIVITY_TIMEOUT,
            subscription_timeout: SUBSCRIPTION_TIMEOUT,
            heartbeat: HEARTBEAT,
        }
    }
}

impl RealtimeSettings {
    pub fn with_driver(mut self, driver: RealtimeDriver) -> Self {
        self.driver = driver;
        self
    }

    pub fn with_app(mut self, app: PusherApp) -> Self {
        self.app = app;
        self
    }

    pub fn with_broadcast(mut self, broadcast: Broadcast) -> Self {
        self.broadcast = broadcast;
        self
    }

    pub fn with_tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    pub fn with_activity_timeout(mut self, timeout: Duration) -> Self {
        self.activity_timeout = timeout;
        self
    }

    pub fn with_subscription_timeout(mut self, timeout: Duration) -> Self {
        self.subscription_timeout = timeout;
        self
    }

    pub fn with_heartbeat(mut self, every: Duration) -> Self {
        self.heartbeat = every;
        self
    }

    /// What `GET /api/realtime/config` answers. The Pusher part is always
    /// there, so an app told to use SSE can still switch.
    pub fn client_config(&self) -> RealtimeConfig {
        let (host, port, tls) = match &self.broadcast {
            // The page's own host and port: the built-in endpoint.
            Broadcast::InProcess => (None, None, self.tls),
            Broadcast::External(server) => (Some(server.host.clone()), Some(server.port), server.tls),
        };
        RealtimeConfig {
            driver: self.driver,
            pusher: Some(PusherConfig {
                key: self.app.key.clone(),
                host,
                port,
                tls,
                auth_endpoint: AUTH_ENDPOINT.into(),
            }),
            heartbeat_ms: u64::try_from(self.heartbeat.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_process_points_the_browser_at_this_server() {
        let settings = RealtimeSettings::default().with_driver(RealtimeDriver::Pusher);
        let config = settings.client_config();
        assert_eq!(config.driver, RealtimeDriver::Pusher);
        let pusher = config.pusher.unwrap();
        assert_eq!((&pusher.key, pusher.host, pusher.port), (&settings.app.key, None, None));
        assert_eq!(pusher.auth_endpoint, "/broadcasting/auth");
    }

    #[test]
    fn the_default_app_is_random_and_its_secret_is_never_shown() {
        let (a, b) = (PusherApp::random(), PusherApp::random());
        assert_eq!((a.id.as_str(), a.key.len(), a.secret.len()), ("budtags", 32, 64));
        assert_ne!(a.key, b.key);
        assert_ne!(a.secret, b.secret);
        assert_ne!(RealtimeSettings::default().app.secret, RealtimeSettings::default().app.secret);
        assert!(!format!("{:?}", RealtimeSettings::default().with_app(a.clone())).contains(&a.secret));
    }

    #[test]
    fn external_points_the_browser_at_that_server() {
        let server = ExternalServer { host: "ws.example.test".into(), port: 443, tls: true };
        let config = RealtimeSettings::default().with_broadcast(Broadcast::External(server)).client_config();
        let pusher = config.pusher.unwrap();
        assert_eq!(
            (pusher.host.as_deref(), pusher.port, pusher.tls),
            (Some("ws.example.test"), Some(443), true)
        );
        assert_eq!(config.driver, RealtimeDriver::Sse);
    }
}
