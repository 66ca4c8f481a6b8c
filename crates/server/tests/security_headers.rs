//! Every response carries the security headers; the web app's policy allows
//! exactly the inline start-up scripts of the `index.html` being served.

mod common;

use axum::{
    body::Body,
    http::{Request, header},
};
use base64::Engine;
use budtags_server::app;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

const INDEX: &str = "<!doctype html><html><head><script>\n  window.__early = {};\n</script>\
    <script type=\"module\">import init from '/app.js'; init();</script>\
    <script src=\"/other.js\"></script></head><body></body></html>";

fn hash(script: &str) -> String {
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script)))
}

#[tokio::test]
async fn every_response_has_the_headers_and_the_policy_names_the_inline_scripts() {
    let (state, _db) = common::state();
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), INDEX).unwrap();
    let router = app(state, dist.path());
    for path in ["/", "/licenses/C11-0000090-LIC/packages", "/api/me", "/api/nothing", "/broadcasting/auth"] {
        let response = router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        let headers = response.headers();
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert_eq!(headers[header::REFERRER_POLICY], "same-origin", "{path}");
        let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        for part in ["default-src 'self'", "'wasm-unsafe-eval'", "frame-ancestors 'none'", "base-uri 'none'"]
        {
            assert!(policy.contains(part), "{path}: {policy}");
        }
        assert!(policy.contains(&hash("\n  window.__early = {};\n")), "{policy}");
        assert!(policy.contains(&hash("import init from '/app.js'; init();")), "{policy}");
        assert_eq!(policy.matches("'sha256-").count(), 2, "external scripts need no hash: {policy}");
    }
}
