//! Command-line flags; every flag also reads an environment variable.

use std::{path::PathBuf, time::Duration};

use budtags_wire::RealtimeDriver;
use clap::{Parser, ValueEnum};

use crate::{
    Store,
    auth::AuthSettings,
    db::app_secrets::{self, StoredPusher},
    realtime::{
        Broadcast, ExternalServer, PusherApp, RealtimeSettings,
        credentials::{self, Credentials},
    },
};

#[derive(Debug, Clone, Parser)]
#[command(name = "budtags-server", about = "BudTags reference server")]
pub struct Config {
    /// Address to bind; loopback by default.
    #[arg(long, env = "BUDTAGS_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "BUDTAGS_PORT", default_value_t = 8080)]
    pub port: u16,

    /// SQLite database file; created with demo data on first start.
    #[arg(long, env = "BUDTAGS_DATABASE", default_value = "budtags.sqlite3")]
    pub database: PathBuf,

    /// Directory holding the built web app (`cargo xtask build` output).
    #[arg(long, env = "BUDTAGS_DIST", default_value = "dist")]
    pub dist: PathBuf,

    /// Turn the live demo activity off.
    #[arg(long, env = "BUDTAGS_NO_SIMULATOR")]
    pub no_simulator: bool,

    /// Mean time between simulated changes, in milliseconds.
    #[arg(long, env = "BUDTAGS_SIMULATOR_INTERVAL_MS", default_value_t = 2000)]
    pub simulator_interval_ms: u64,

    /// Packages per license in freshly created demo data.
    #[arg(long, env = "BUDTAGS_PACKAGES_PER_LICENSE", default_value_t = 2400)]
    pub packages_per_license: usize,

    /// The realtime transport the app is told to use (`GET /api/realtime/config`).
    #[arg(long, env = "BUDTAGS_REALTIME", value_enum, default_value_t = Driver::Sse)]
    pub realtime: Driver,

    /// Seconds between the heartbeats SSE and /ws streams send; the app
    /// reconnects after 2.5 heartbeats of silence (a frozen connection).
    #[arg(long, env = "BUDTAGS_HEARTBEAT_SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub heartbeat_secs: u64,

    /// Pusher app id (the HTTP trigger API's `/apps/{app_id}`).
    #[arg(long, env = "BUDTAGS_PUSHER_APP_ID", default_value = "budtags")]
    pub pusher_app_id: String,

    /// Pusher app key (public: it is in the socket URL). Generated on first
    /// start and kept in the database unless given.
    #[arg(long, env = "BUDTAGS_PUSHER_KEY")]
    pub pusher_key: Option<String>,

    /// Pusher app secret: signs channel auth and trigger requests. Generated
    /// on first start and kept in the database unless given (then it must be
    /// shared with an external Pusher server).
    #[arg(long, env = "BUDTAGS_PUSHER_SECRET", hide_env_values = true)]
    pub pusher_secret: Option<String>,

    /// Where events are broadcast besides this server's own SSE, /ws and
    /// Pusher endpoints: `external` also triggers them on --pusher-host.
    #[arg(long, env = "BUDTAGS_BROADCAST", value_enum, default_value_t = BroadcastMode::InProcess)]
    pub broadcast: BroadcastMode,

    /// The external Pusher-protocol server (with `--broadcast external`); its
    /// HTTP API is called over plain HTTP, and browsers are sent there.
    #[arg(long, env = "BUDTAGS_PUSHER_HOST")]
    pub pusher_host: Option<String>,

    /// The external Pusher server's port (with `--broadcast external`).
    #[arg(long, env = "BUDTAGS_PUSHER_PORT")]
    pub pusher_port: Option<u16>,

    /// Tell browsers to connect to the Pusher server over `wss` (TLS in front).
    #[arg(long, env = "BUDTAGS_PUSHER_TLS")]
    pub pusher_tls: bool,

    /// A reverse proxy is in front: take the client's address from
    /// `X-Forwarded-For` (its last hop) and HTTPS from `X-Forwarded-Proto`.
    #[arg(long, env = "BUDTAGS_TRUST_PROXY")]
    pub trust_proxy: bool,

    /// Mark the session cookie `Secure`: the site is only served over HTTPS.
    #[arg(long, env = "BUDTAGS_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// The built-in Pusher endpoint serves another backend, which signs
    /// private channels with the app secret: accept signatures this server
    /// did not grant (those subscriptions do not end with a session here).
    #[arg(long, env = "BUDTAGS_PUSHER_FOREIGN_AUTH")]
    pub pusher_foreign_auth: bool,
}

/// `--realtime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Driver {
    Sse,
    Pusher,
    Websocket,
}

impl From<Driver> for RealtimeDriver {
    fn from(driver: Driver) -> Self {
        match driver {
            Driver::Sse => RealtimeDriver::Sse,
            Driver::Pusher => RealtimeDriver::Pusher,
            Driver::Websocket => RealtimeDriver::Websocket,
        }
    }
}

/// `--broadcast`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BroadcastMode {
    InProcess,
    External,
}

impl Config {
    /// Sign-in and session settings: these flags over the defaults.
    pub fn auth(&self) -> AuthSettings {
        AuthSettings {
            trust_proxy: self.trust_proxy,
            secure_cookies: self.secure_cookies,
            foreign_channel_auth: self.pusher_foreign_auth,
            ..AuthSettings::default()
        }
    }

    pub fn simulator_interval(&self) -> Duration {
        Duration::from_millis(self.simulator_interval_ms.max(10))
    }

    /// What `main` runs with: the app from [`Config::credentials`] (reading,
    /// or on first start generating, the key and secret kept in `store`), and
    /// the realtime settings around it.
    pub async fn load_realtime(&self, store: &Store) -> Result<(RealtimeSettings, Credentials), String> {
        let stored = store.call(|conn| app_secrets::pusher(conn)).await.map_err(|e| e.to_string())?;
        let credentials = self.credentials(&stored)?;
        Ok((self.realtime(credentials.app.clone())?, credentials))
    }

    /// The Pusher app: the given key and secret, or else those `stored` in
    /// the database; a weak secret is refused on a non-loopback `--host`.
    pub fn credentials(&self, stored: &StoredPusher) -> Result<Credentials, String> {
        let credentials = credentials::resolve(
            &self.pusher_app_id,
            self.pusher_key.as_deref(),
            self.pusher_secret.as_deref(),
            stored,
        );
        credentials::check(&self.host, &credentials).map_err(|refusal| refusal.to_string())?;
        Ok(credentials)
    }

    /// The realtime settings these flags describe, with `app` (from
    /// [`Config::credentials`]); external broadcasting needs `--pusher-host`
    /// and `--pusher-port`.
    pub fn realtime(&self, app: PusherApp) -> Result<RealtimeSettings, String> {
        let broadcast = match self.broadcast {
            BroadcastMode::InProcess => Broadcast::InProcess,
            BroadcastMode::External => match (&self.pusher_host, self.pusher_port) {
                (Some(host), Some(port)) => {
                    Broadcast::External(ExternalServer { host: host.clone(), port, tls: self.pusher_tls })
                }
                _ => return Err("--broadcast external needs --pusher-host and --pusher-port".into()),
            },
        };
        Ok(RealtimeSettings::default()
            .with_driver(self.realtime.into())
            .with_app(app)
            .with_broadcast(broadcast)
            .with_tls(self.pusher_tls)
            .with_heartbeat(Duration::from_secs(self.heartbeat_secs)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> StoredPusher {
        StoredPusher { key: "kept-key".into(), secret: "kept-secret-0123456789abcdef".into() }
    }

    #[test]
    fn defaults_are_sse_in_process_with_the_kept_app() {
        let config = Config::parse_from(["budtags-server"]);
        let credentials = config.credentials(&stored()).unwrap();
        let app = PusherApp { id: "budtags".into(), key: "kept-key".into(), secret: stored().secret };
        assert_eq!(credentials.app, app);
        let settings = config.realtime(credentials.app).unwrap();
        assert_eq!(settings, RealtimeSettings::default().with_app(app));
        assert_eq!(config.auth(), AuthSettings::default());
    }

    #[test]
    fn the_old_default_secret_is_refused_on_a_public_host() {
        let public = ["budtags-server", "--host", "0.0.0.0", "--pusher-secret", "budtags-secret"];
        let error = Config::parse_from(public).credentials(&stored()).unwrap_err();
        assert!(error.contains("refusing to listen on 0.0.0.0"), "{error}");
        let local = ["budtags-server", "--pusher-secret", "budtags-secret"];
        assert!(Config::parse_from(local).credentials(&stored()).is_ok(), "loopback is the operator's own");
        let generated = ["budtags-server", "--host", "0.0.0.0"];
        assert!(Config::parse_from(generated).credentials(&stored()).is_ok());
    }

    #[test]
    fn proxy_trust_and_secure_cookies_are_opt_in() {
        let config = Config::parse_from(["budtags-server", "--trust-proxy", "--secure-cookies"]);
        let auth = config.auth();
        assert!(auth.trust_proxy && auth.secure_cookies);
        assert!(!AuthSettings::default().trust_proxy && !AuthSettings::default().secure_cookies);
    }

    #[test]
    fn external_broadcasting_needs_a_host_and_port() {
        let config = Config::parse_from(["budtags-server", "--broadcast", "external"]);
        assert!(config.realtime(PusherApp::random()).is_err());
        let config = Config::parse_from([
            "budtags-server",
            "--broadcast",
            "external",
            "--pusher-host",
            "reverb.internal",
            "--pusher-port",
            "8080",
            "--realtime",
            "pusher",
        ]);
        let settings = config.realtime(PusherApp::random()).unwrap();
        assert_eq!(settings.driver, RealtimeDriver::Pusher);
        assert_eq!(
            settings.broadcast,
            Broadcast::External(ExternalServer { host: "reverb.internal".into(), port: 8080, tls: false })
        );
    }
}
