//! Which Pusher app key and secret the server runs with, and what it says
//! about them at start-up. A key or secret given with `--pusher-key` /
//! `--pusher-secret` (or their environment variables) wins; otherwise the ones
//! generated on first start and kept in the database ([`crate::db::app_secrets`]).
//!
//! The README once published a default secret, and with it anyone could sign
//! every private channel and trigger forged events. So a secret known to be
//! public, or too short to resist guessing, is refused on any address but
//! loopback; and the secret itself is never printed, only where it came from.

use std::{net::IpAddr, path::Path};

use super::{ExternalServer, PusherApp};
use crate::db::app_secrets::StoredPusher;

/// Secrets that have been published: our old default, and the usual
/// examples of Pusher-protocol servers (Soketi's `app-secret`).
const KNOWN_SECRETS: &[&str] = &["budtags-secret", "app-secret", "secret", "bench-secret"];

/// Shorter than this is guessable (the generated ones are 64 hex digits).
pub const MIN_SECRET_CHARS: usize = 16;

/// Where a credential came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Generated on first start, kept in the database.
    Generated,
    /// Given with its flag or environment variable.
    Given,
}

/// The app the server runs with, and where its key and secret came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub app: PusherApp,
    pub key: Source,
    pub secret: Source,
}

/// Why the server refuses to start with these credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "refusing to listen on {host} with a Pusher app secret that is {why}: anyone could sign \
         private channels and trigger events. Leave --pusher-secret / BUDTAGS_PUSHER_SECRET unset \
         to use the one generated on first start, or give a long random one"
    )]
    WeakSecret { host: String, why: &'static str },
}

/// The given key and secret where there are, the stored ones otherwise.
pub fn resolve(
    id: &str,
    given_key: Option<&str>,
    given_secret: Option<&str>,
    stored: &StoredPusher,
) -> Credentials {
    let pick = |given: Option<&str>, kept: &str| match given {
        Some(given) => (given.to_owned(), Source::Given),
        None => (kept.to_owned(), Source::Generated),
    };
    let (key, key_source) = pick(given_key, &stored.key);
    let (secret, secret_source) = pick(given_secret, &stored.secret);
    Credentials { app: PusherApp { id: id.to_owned(), key, secret }, key: key_source, secret: secret_source }
}

/// Why `secret` is unfit for anything but this machine, if it is.
pub fn weakness(secret: &str) -> Option<&'static str> {
    if KNOWN_SECRETS.iter().any(|known| known.eq_ignore_ascii_case(secret)) {
        Some("published (a known default)")
    } else if secret.chars().count() < MIN_SECRET_CHARS {
        Some("shorter than 16 characters")
    } else {
        None
    }
}

/// Whether `host` (the `--host` flag) only accepts connections from this machine.
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost") || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Refuses a weak secret on a host others can reach; on loopback it is the
/// operator's own business (tests and benchmarks pass fixed ones).
pub fn check(host: &str, credentials: &Credentials) -> Result<(), Refusal> {
    match weakness(&credentials.app.secret) {
        Some(why) if !is_loopback(host) => Err(Refusal::WeakSecret { host: host.to_owned(), why }),
        _ => Ok(()),
    }
}

/// The start-up banner's lines about the Pusher app: where the key and secret
/// came from (never the secret itself), and, when events go to an external
/// Pusher server that was not given a secret, how to share ours with it.
pub fn banner(credentials: &Credentials, database: &Path, external: Option<&ExternalServer>) -> Vec<String> {
    let database = database.display();
    let from = |source: Source, flag: &str, env: &str| match source {
        Source::Generated => format!("generated on first start, kept in {database}"),
        Source::Given => format!("from {flag} / {env}"),
    };
    let app = &credentials.app;
    let mut lines = vec![
        format!(
            "Pusher app \"{}\", key {}: {}",
            app.id,
            app.key,
            from(credentials.key, "--pusher-key", "BUDTAGS_PUSHER_KEY")
        ),
        format!(
            "Pusher app secret: {}",
            from(credentials.secret, "--pusher-secret", "BUDTAGS_PUSHER_SECRET")
        ),
    ];
    if let Some(why) = weakness(&app.secret) {
        lines.push(format!("Warning: the Pusher app secret is {why}; use it on this machine only."));
    }
    if let (Some(server), Source::Generated) = (external, credentials.secret) {
        lines.extend([
            format!(
                "Events are triggered on the Pusher server at {}:{}, which must know this",
                server.host, server.port
            ),
            "app's id, key and secret. Either give its own with --pusher-app-id, --pusher-key and".into(),
            "--pusher-secret (BUDTAGS_PUSHER_APP_ID / _KEY / _SECRET), or configure it with ours:".into(),
            format!("  sqlite3 {database} \"SELECT name, value FROM app_secrets\""),
        ]);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> StoredPusher {
        StoredPusher { key: "kept-key".into(), secret: "kept-secret-0123456789abcdef".into() }
    }

    #[test]
    fn given_values_win_over_the_kept_ones_one_by_one() {
        let kept = resolve("budtags", None, None, &stored());
        assert_eq!((kept.app.key.as_str(), kept.key), ("kept-key", Source::Generated));
        assert_eq!(
            (kept.app.secret.as_str(), kept.secret),
            ("kept-secret-0123456789abcdef", Source::Generated)
        );
        let given = resolve("app", None, Some("given-secret-0123456789"), &stored());
        assert_eq!(
            (given.app.id.as_str(), given.app.key.as_str(), given.key),
            ("app", "kept-key", Source::Generated)
        );
        assert_eq!((given.app.secret.as_str(), given.secret), ("given-secret-0123456789", Source::Given));
    }

    #[test]
    fn a_known_or_short_secret_is_refused_beyond_loopback() {
        let with = |secret: &str| resolve("budtags", None, Some(secret), &stored());
        for host in ["127.0.0.1", "::1", "[::1]", "localhost", "127.1.2.3"] {
            assert_eq!(check(host, &with("budtags-secret")), Ok(()), "{host}");
        }
        for host in ["0.0.0.0", "::", "192.168.1.20", "budtags.example"] {
            assert!(check(host, &with("budtags-secret")).is_err(), "{host}");
            assert!(check(host, &with("short")).is_err(), "{host}");
            assert_eq!(check(host, &with("a-long-random-secret-nobody-knows")), Ok(()), "{host}");
            assert_eq!(check(host, &resolve("budtags", None, None, &stored())), Ok(()), "{host}");
        }
        let message = check("0.0.0.0", &with("BUDTAGS-SECRET")).unwrap_err().to_string();
        assert!(message.contains("published") && message.contains("--pusher-secret"), "{message}");
    }

    #[test]
    fn the_banner_says_where_the_secret_came_from_and_never_shows_it() {
        let database = Path::new("budtags.sqlite3");
        let kept = resolve("budtags", None, None, &stored());
        let lines = banner(&kept, database, None);
        assert_eq!(lines[1], "Pusher app secret: generated on first start, kept in budtags.sqlite3");
        let given = resolve("budtags", None, Some("given-secret-0123456789"), &stored());
        let lines = banner(&given, database, None);
        assert_eq!(lines[1], "Pusher app secret: from --pusher-secret / BUDTAGS_PUSHER_SECRET");
        for credentials in [&kept, &given] {
            let all = banner(credentials, database, None).join("\n");
            assert!(!all.contains(&credentials.app.secret), "{all}");
        }
    }

    #[test]
    fn an_external_server_without_a_given_secret_is_told_how_to_share_ours() {
        let server = ExternalServer { host: "sockudo.internal".into(), port: 6001, tls: false };
        let database = Path::new("/data/budtags.sqlite3");
        let kept = resolve("budtags", None, None, &stored());
        let all = banner(&kept, database, Some(&server)).join("\n");
        assert!(all.contains("sockudo.internal:6001") && all.contains("--pusher-secret"), "{all}");
        assert!(
            all.contains("sqlite3 /data/budtags.sqlite3 \"SELECT name, value FROM app_secrets\""),
            "{all}"
        );
        assert!(!all.contains(&kept.app.secret));
        let given = resolve("budtags", Some("k"), Some("given-secret-0123456789"), &stored());
        assert_eq!(banner(&given, database, Some(&server)).len(), 2, "a given secret is already shared");
    }
}
