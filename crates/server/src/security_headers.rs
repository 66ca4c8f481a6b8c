//! Headers every response carries, so a browser limits what a page of ours
//! may load, run and be framed by:
//!
//! - `Content-Security-Policy` ([`app_policy`]): our own files only; scripts
//!   are ours, WebAssembly (`'wasm-unsafe-eval'`) and the inline start-up
//!   scripts of `index.html`, named by their SHA-256 ([`inline_script_hashes`],
//!   computed from the served file at start-up, so the policy follows the
//!   file); styles are our files only (the app sets sizes through the CSSOM,
//!   `style:width`, which a policy does not restrict); `connect-src` adds the
//!   external Pusher server when there is one. No framing, no `<base>`.
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`,
//!   `X-Frame-Options: DENY` (older browsers' `frame-ancestors`).
//!
//! A response that sets its own policy keeps it: the printable label sheet
//! ([`crate::jobs::sheet::POLICY`]) has inline styles and a print button.

use axum::{
    Router,
    http::{HeaderName, HeaderValue, header},
};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::realtime::{Broadcast, RealtimeSettings};

/// `'sha256-…'` of `text`, as a policy names an inline script or style.
pub fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
}

/// The contents of each inline `<script>` (one without `src`) in `html`, as
/// the browser hashes them: everything between the tag and `</script>`.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| at + i) {
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i) else { break };
        let Some(close) = lower[tag_end..].find("</script").map(|i| tag_end + i) else { break };
        let tag = &lower[start..tag_end];
        let external = tag.split(|c: char| c.is_ascii_whitespace()).any(|attr| attr.starts_with("src="));
        if !external {
            scripts.push(&html[tag_end + 1..close]);
        }
        at = close;
    }
    scripts
}

/// The hash of each inline script of `html`, in order.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    inline_scripts(html).into_iter().map(csp_hash).collect()
}

/// The web app's policy: `index_html` is the served `index.html`, if any.
pub fn app_policy(index_html: Option<&str>, realtime: &RealtimeSettings) -> String {
    let mut scripts = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    scripts.extend(index_html.map(inline_script_hashes).unwrap_or_default());
    // 'self' covers ws:// and wss:// to this very host (CSP 3).
    let mut connect = vec!["'self'".to_owned()];
    if let Broadcast::External(server) = &realtime.broadcast {
        let scheme = if server.tls { "wss" } else { "ws" };
        connect.push(format!("{scheme}://{}:{}", server.host, server.port));
    }
    format!(
        "default-src 'self'; script-src {}; style-src 'self'; img-src 'self' data:; connect-src {}; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
        scripts.join(" "),
        connect.join(" ")
    )
}

/// `router` with the security headers on every response that has not set them.
pub fn apply(router: Router, policy: &str) -> Router {
    let policy = HeaderValue::from_str(policy).unwrap_or_else(|_| {
        tracing::error!("the Content-Security-Policy is not a valid header; sending the strictest");
        HeaderValue::from_static("default-src 'none'")
    });
    let fixed: [(HeaderName, HeaderValue); 3] = [
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ];
    let mut router =
        router.layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, policy));
    for (name, value) in fixed {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::ExternalServer;

    #[test]
    fn each_inline_script_is_found_and_external_ones_are_not() {
        let html = "<head><script>one()</script><SCRIPT type=\"module\">\nimport x from '/a.js';\n</SCRIPT>\
                    <script src=\"/b.js\"></script><script defer src='/c.js'>ignored</script></head>";
        assert_eq!(inline_scripts(html), vec!["one()", "\nimport x from '/a.js';\n"]);
        assert!(inline_scripts("<p>no scripts</p>").is_empty());
    }

    #[test]
    fn hashes_are_what_browsers_compute() {
        // echo -n "alert('Hello, world.');" | openssl sha256 -binary | base64
        assert_eq!(
            csp_hash("alert('Hello, world.');"),
            "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
        );
    }

    #[test]
    fn the_external_pusher_server_may_be_reached() {
        let server = ExternalServer { host: "ws.example.test".into(), port: 6001, tls: true };
        let settings = RealtimeSettings::default().with_broadcast(Broadcast::External(server));
        let policy = app_policy(Some("<script>go()</script>"), &settings);
        assert!(policy.contains("connect-src 'self' wss://ws.example.test:6001;"), "{policy}");
        assert!(policy.contains(&format!("script-src 'self' 'wasm-unsafe-eval' {};", csp_hash("go()"))));
        let local = app_policy(None, &RealtimeSettings::default());
        assert!(local.contains("connect-src 'self';") && local.contains("frame-ancestors 'none'"), "{local}");
    }
}
