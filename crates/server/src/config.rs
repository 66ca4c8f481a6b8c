//! Command-line flags; every flag also reads an environment variable.

use std::{path::PathBuf, time::Duration};

use budtags_wire::RealtimeDriver;
use clap::{Parser, ValueEnum};

use crate::auth::AuthSettings;
use crate::realtime::{Broadcast, ExternalServer, PusherApp, RealtimeSettings};

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

    /// Directory holding the built web app (`trunk build` output).
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

    /// Pusher app id (the HTTP trigger API's `/apps/{app_id}`).
    #[arg(long, env = "BUDTAGS_PUSHER_APP_ID", default_value = "budtags")]
    pub pusher_app_id: String,

    /// Pusher app key (public: it is in the socket URL).
    #[arg(long, env = "BUDTAGS_PUSHER_KEY", default_value = "budtags-key")]
    pub pusher_key: String,

    /// Pusher app secret: signs channel auth and trigger requests.
    #[arg(long, env = "BUDTAGS_PUSHER_SECRET", default_value = "budtags-secret", hide_env_values = true)]
    pub pusher_secret: String,

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

    /// The realtime settings these flags describe; external broadcasting
    /// needs `--pusher-host` and `--pusher-port`.
    pub fn realtime(&self) -> Result<RealtimeSettings, String> {
        let broadcast = match self.broadcast {
            BroadcastMode::InProcess => Broadcast::InProcess,
            BroadcastMode::External => match (&self.pusher_host, self.pusher_port) {
                (Some(host), Some(port)) => {
                    Broadcast::External(ExternalServer { host: host.clone(), port, tls: self.pusher_tls })
                }
                _ => return Err("--broadcast external needs --pusher-host and --pusher-port".into()),
            },
        };
        let app = PusherApp {
            id: self.pusher_app_id.clone(),
            key: self.pusher_key.clone(),
            secret: self.pusher_secret.clone(),
        };
        Ok(RealtimeSettings::default()
            .with_driver(self.realtime.into())
            .with_app(app)
            .with_broadcast(broadcast)
            .with_tls(self.pusher_tls))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_sse_in_process_with_the_demo_app() {
        let config = Config::parse_from(["budtags-server"]);
        let settings = config.realtime().unwrap();
        assert_eq!(settings, RealtimeSettings::default());
        assert_eq!(config.auth(), AuthSettings::default());
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
        assert!(config.realtime().is_err());
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
        let settings = config.realtime().unwrap();
        assert_eq!(settings.driver, RealtimeDriver::Pusher);
        assert_eq!(
            settings.broadcast,
            Broadcast::External(ExternalServer { host: "reverb.internal".into(), port: 8080, tls: false })
        );
    }
}
