//! Who is on the other end of the connection: the peer address, and whether
//! the browser reached us over HTTPS.
//!
//! Behind a reverse proxy every connection comes from the proxy, so with
//! `--trust-proxy` the address is the last hop of `X-Forwarded-For` (the one
//! the proxy itself appended; earlier entries are whatever the client
//! claimed) and `X-Forwarded-Proto: https` counts as HTTPS. Without the flag
//! both headers are ignored: anyone could send them.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderMap, request::Parts},
};

use crate::AppState;

/// The client's address, when it is known. It is not, for example, when the
/// router is called without a listener (`oneshot` in tests): those requests
/// share one bucket in the sign-in limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
        Ok(ClientAddr(client_ip(peer, &parts.headers, state.auth.settings.trust_proxy)))
    }
}

/// The client's address from the peer's and, behind a trusted proxy, `X-Forwarded-For`.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trust_proxy: bool) -> Option<IpAddr> {
    if !trust_proxy {
        return peer;
    }
    let last_hop = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .next_back();
    last_hop.and_then(|hop| hop.trim().parse::<IpAddr>().ok()).or(peer)
}

/// Whether the browser's request came over HTTPS, as far as the server can tell.
pub fn is_https(headers: &HeaderMap, trust_proxy: bool) -> bool {
    trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn forwarded_headers_count_only_behind_a_trusted_proxy() {
        let peer = Some("10.0.0.1".parse().unwrap());
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.7"), ("x-forwarded-proto", "https")]);
        assert_eq!(client_ip(peer, &spoofed, false), peer);
        assert!(!is_https(&spoofed, false));
        assert_eq!(client_ip(peer, &spoofed, true), Some("203.0.113.7".parse().unwrap()), "the proxy's hop");
        assert!(is_https(&spoofed, true));
        assert_eq!(client_ip(peer, &headers(&[("x-forwarded-for", "junk")]), true), peer);
        assert_eq!(client_ip(None, &HeaderMap::new(), true), None);
        assert!(!is_https(&headers(&[("x-forwarded-proto", "http")]), true));
    }
}
