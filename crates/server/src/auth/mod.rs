//! Who is asking: the session cookie, the [`CurrentUser`] extractor and the
//! CSRF check for state-changing requests.
//!
//! - [`password`]: Argon2id hashing of passwords; [`password_checks`]: at
//!   most one check per core at a time.
//! - [`token`]: random session and CSRF tokens; [`session`]: session ids
//!   (token hashes) and when a session ends.
//! - [`throttle`]: failed sign-ins counted per account and per client;
//!   [`client`]: the client's address and whether it came over HTTPS.
//! - [`live`]: open streams end with their session.
//! - [`origin`]: is a request from one of our own pages (`Origin`).
//! - [`write`]: the [`Writer`], [`Operator`] and [`Approver`] extractors that
//!   every state-changing handler takes (session, origin, CSRF, role).
//!
//! A session is a random token in the `budtags_session` cookie (`HttpOnly`,
//! `SameSite=Lax`, `Secure` over HTTPS); the database keeps only its hash.
//! Every state-changing request must also repeat the session's CSRF token in
//! `X-CSRF-TOKEN`: a page on another site can make the browser send the
//! cookie, but it cannot read the token.

pub mod client;
pub mod live;
pub mod origin;
pub mod password;
pub mod password_checks;
pub mod session;
pub mod throttle;
pub mod token;
pub mod write;

pub use write::{Approver, Operator, Writer};

use std::{
    sync::{Arc, Mutex, MutexGuard},
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, HeaderValue, header, request::Parts},
};
use budtags_wire::Me;

use crate::{
    AppState,
    db::{self, Store, users::Account},
    error::{Error, Result},
};
use live::LiveSessions;
use password_checks::PasswordChecks;
use session::{SessionId, SessionPolicy};
use throttle::{SignInLimits, SignInThrottle};

/// How sign-in and sessions behave (`--trust-proxy`, `--secure-cookies`);
/// the default suits a server on loopback and the tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuthSettings {
    /// Believe `X-Forwarded-For` / `X-Forwarded-Proto` (a reverse proxy in front).
    pub trust_proxy: bool,
    /// Always mark the session cookie `Secure` (served over HTTPS).
    pub secure_cookies: bool,
    /// Let the built-in Pusher endpoint accept private-channel signatures it
    /// did not grant: another backend with the app secret signs for it. Those
    /// subscriptions do not end with any session of this server.
    pub foreign_channel_auth: bool,
    pub sessions: SessionPolicy,
    pub limits: SignInLimits,
}

/// The sign-in part of [`AppState`].
pub struct Auth {
    pub settings: AuthSettings,
    throttle: Mutex<SignInThrottle>,
    pub password_checks: PasswordChecks,
    pub live: Arc<LiveSessions>,
}

impl Auth {
    pub fn new(store: Store, settings: AuthSettings) -> Self {
        Self {
            settings,
            throttle: Mutex::new(SignInThrottle::new(settings.limits)),
            password_checks: PasswordChecks::default(),
            live: Arc::new(LiveSessions::new(store, settings.sessions, settings.foreign_channel_auth)),
        }
    }

    /// The failed-sign-in counters (plain bookkeeping, held for microseconds).
    pub fn throttle(&self) -> MutexGuard<'_, SignInThrottle> {
        self.throttle.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether this request's session cookie should be `Secure`.
    pub fn secure_cookie(&self, headers: &HeaderMap) -> bool {
        self.settings.secure_cookies || client::is_https(headers, self.settings.trust_proxy)
    }
}

/// The cookie that holds the session token.
pub const SESSION_COOKIE: &str = "budtags_session";
/// The header that repeats the session's CSRF token (Laravel's name; Echo sends it).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in person making this request. Extracting it answers 401 when
/// there is no session cookie or the session is unknown or expired.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub account: Account,
    pub csrf_token: String,
    pub session: live::Session,
}

impl CurrentUser {
    /// `/api/me` for this session.
    pub fn me(&self) -> Me {
        self.account.me(&self.csrf_token)
    }

    /// Refuses (403) a request whose `X-CSRF-TOKEN` is missing or is not this session's.
    pub fn require_csrf(&self, headers: &HeaderMap) -> Result<()> {
        let given = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        if token::tokens_match(given, &self.csrf_token) {
            Ok(())
        } else {
            Err(Error::Forbidden("Missing or wrong X-CSRF-TOKEN header; reload the page.".into()))
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let token =
            session_token(&parts.headers).ok_or_else(|| Error::Unauthorized("Sign in first.".into()))?;
        let id = SessionId::of(&token);
        let now = unix_now();
        let policy = state.auth.settings.sessions;
        let (idle_since, touch_before) = (policy.idle_since(now), policy.touch_before(now));
        let found = state
            .store
            .call(move |conn| Ok(db::users::use_session(conn, &id.to_hex(), now, idle_since, touch_before)?))
            .await?;
        let (account, csrf_token, times) =
            found.ok_or_else(|| Error::Unauthorized("Your session has ended; sign in again.".into()))?;
        Ok(CurrentUser { account, csrf_token, session: live::Session { id, times } })
    }
}

/// The session token from the request's `Cookie` headers, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .filter(|value| !value.is_empty())
}

/// `Set-Cookie` for a new session, `Secure` when `secure`. No `Max-Age`:
/// the cookie ends with the browser session, and the server forgets the
/// session at its expiry or when idle ([`SessionPolicy`]).
pub fn session_cookie(token: &str, secure: bool) -> Result<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/{secure}"))
        .map_err(|_| Error::BadRequest("Session tokens are hex.".into()))
}

/// `Set-Cookie` that removes the session cookie (with the same attributes it was set with).
pub fn cleared_session_cookie(secure: bool) -> HeaderValue {
    if secure {
        HeaderValue::from_static("budtags_session=; HttpOnly; SameSite=Lax; Path=/; Secure; Max-Age=0")
    } else {
        HeaderValue::from_static("budtags_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
    }
}

/// Seconds since the Unix epoch, read at the request boundary and passed on.
pub fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cookies: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for cookie in cookies {
            map.append(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        map
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        assert_eq!(session_token(&headers(&["a=1; budtags_session=abc; b=2"])).as_deref(), Some("abc"));
        assert_eq!(session_token(&headers(&["a=1", "budtags_session=xyz"])).as_deref(), Some("xyz"));
        assert_eq!(session_token(&headers(&["budtags_session_old=1"])), None);
        assert_eq!(session_token(&headers(&["budtags_session="])), None);
        assert_eq!(session_token(&headers(&[])), None);
    }

    #[test]
    fn the_cookie_is_http_only_lax_and_site_wide() {
        let cookie = session_cookie("t0k3n", false).unwrap();
        assert_eq!(cookie, "budtags_session=t0k3n; HttpOnly; SameSite=Lax; Path=/");
        let cookie = session_cookie("t0k3n", true).unwrap();
        assert_eq!(cookie, "budtags_session=t0k3n; HttpOnly; SameSite=Lax; Path=/; Secure");
    }
}
