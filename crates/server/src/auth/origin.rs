//! Is this request from one of our own pages? The check every
//! state-changing request and every WebSocket upgrade makes, in one place.
//!
//! The session cookie is `SameSite=Lax`, which stops other sites' POSTs but
//! not their WebSocket upgrades: a page elsewhere could open `/ws` with the
//! visitor's cookie and read their organization's events. Browsers name the
//! page that makes a request in `Origin` (always on WebSocket upgrades and on
//! POST/PATCH) and in `Sec-Fetch-Site`; pages cannot set either.
//!
//! The rule ([`decide`]):
//! - `Sec-Fetch-Site: same-origin`: ours.
//! - an `Origin` naming this server's own `Host` (scheme `http` or `https`,
//!   default ports ignored, so a TLS proxy in front changes nothing): ours.
//! - any other `Origin`, `null` included: foreign, 403.
//! - no `Origin`: a client that is not a browser (curl, tests, a backend), or
//!   a browser's own navigation; allowed, since writes still need the CSRF
//!   token. Unless `Sec-Fetch-Site` says `cross-site` or `same-site`.
//!
//! `Host` is taken as the client sent it; it is what the browser put in the
//! origin it connected to. Forwarded-host headers are not trusted.

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};

use crate::error::Error;

/// What the headers say about where a request comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// From one of this server's pages.
    SameOrigin,
    /// No browser named a page: a client that is not a browser.
    Unnamed,
    /// From another site's page (or an opaque `null` origin).
    Foreign,
}

impl Verdict {
    pub fn allowed(self) -> bool {
        matches!(self, Verdict::SameOrigin | Verdict::Unnamed)
    }
}

/// The decision from `Origin`, `Host` and `Sec-Fetch-Site` (see the module docs).
pub fn decide(origin: Option<&str>, host: Option<&str>, fetch_site: Option<&str>) -> Verdict {
    let fetch_site = fetch_site.map(|site| site.trim().to_ascii_lowercase());
    if fetch_site.as_deref() == Some("same-origin") {
        return Verdict::SameOrigin;
    }
    match origin {
        Some(origin) => match (authority(origin), host) {
            (Some(theirs), Some(host)) if theirs == normalize(host, None) => Verdict::SameOrigin,
            _ => Verdict::Foreign,
        },
        None => match fetch_site.as_deref() {
            Some("cross-site" | "same-site") => Verdict::Foreign,
            _ => Verdict::Unnamed,
        },
    }
}

/// `host[:port]` of an `http`/`https` origin, lower-cased, its default port
/// dropped; `None` for anything else (`null`, other schemes, paths).
fn authority(origin: &str) -> Option<String> {
    let origin = origin.trim();
    let (scheme, rest) = origin.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https") || rest.is_empty() || rest.contains(['/', '?', '#', '@'])
    {
        return None;
    }
    Some(normalize(rest, Some(&scheme)))
}

/// `host[:port]` lower-cased, without `:80` or `:443` (the default of `scheme`
/// or, for a `Host` header, of either scheme: behind a TLS proxy the browser
/// said `https://host` and the proxy may pass `host:443` on).
fn normalize(authority: &str, scheme: Option<&str>) -> String {
    let authority = authority.trim().to_ascii_lowercase();
    let default_port = |port: &str| match scheme {
        Some("http") => port == "80",
        Some("https") => port == "443",
        _ => port == "80" || port == "443",
    };
    match authority.rsplit_once(':') {
        // Not the inside of an IPv6 literal such as `[::1]`.
        Some((host, port)) if !port.contains(']') && default_port(port) => host.to_owned(),
        _ => authority,
    }
}

/// The verdict for a request's headers.
pub fn verdict(headers: &HeaderMap) -> Verdict {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    decide(text(header::ORIGIN.as_str()), text(header::HOST.as_str()), text("sec-fetch-site"))
}

/// Refuses (403) a request from another site's page.
pub fn require_same_origin(headers: &HeaderMap) -> Result<(), Error> {
    if verdict(headers).allowed() {
        Ok(())
    } else {
        Err(Error::Forbidden("This request came from another site's page; it was refused.".into()))
    }
}

/// Extracting it refuses (403) a request from another site's page: what
/// every WebSocket upgrade takes.
#[derive(Clone, Copy, Debug)]
pub struct SameOrigin;

impl<S: Send + Sync> FromRequestParts<S> for SameOrigin {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Error> {
        require_same_origin(&parts.headers).map(|()| SameOrigin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Origin`, `Host`, `Sec-Fetch-Site`, and the verdict.
    type Case = (Option<&'static str>, Option<&'static str>, Option<&'static str>, Verdict);

    #[test]
    fn the_origin_must_be_this_host() {
        use Verdict::*;
        let table: &[Case] = &[
            (Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080"), None, SameOrigin),
            (Some("http://LOCALHOST:8080"), Some("localhost:8080"), None, SameOrigin),
            (Some("https://tags.example"), Some("tags.example"), None, SameOrigin),
            (Some("https://tags.example"), Some("tags.example:443"), None, SameOrigin),
            (Some("http://tags.example:80"), Some("tags.example"), None, SameOrigin),
            (Some("http://[::1]:8080"), Some("[::1]:8080"), None, SameOrigin),
            (Some("http://127.0.0.1:8081"), Some("127.0.0.1:8080"), None, Foreign),
            (Some("https://evil.example"), Some("tags.example"), None, Foreign),
            (Some("https://tags.example.evil.example"), Some("tags.example"), None, Foreign),
            (Some("null"), Some("tags.example"), None, Foreign),
            (Some("file://tags.example"), Some("tags.example"), None, Foreign),
            (Some("https://tags.example"), None, None, Foreign),
            (Some("https://evil.example"), Some("tags.example"), Some("cross-site"), Foreign),
            // The browser's own word wins, e.g. behind a proxy that rewrites Host.
            (Some("https://tags.example"), Some("backend:8080"), Some("same-origin"), SameOrigin),
            (None, Some("tags.example"), None, Unnamed),
            (None, Some("tags.example"), Some("none"), Unnamed),
            (None, Some("tags.example"), Some("cross-site"), Foreign),
            (None, Some("tags.example"), Some("same-site"), Foreign),
        ];
        for &(origin, host, site, expected) in table {
            assert_eq!(decide(origin, host, site), expected, "{origin:?} {host:?} {site:?}");
        }
    }
}
