//! The built web app is served with its precompressed copies when the browser
//! accepts them, and compressed on the fly otherwise; client-side routes get
//! `index.html`.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use budtags_server::{app, precompress::precompress_dir};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn get(router: axum::Router, path: &str, accept: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let request = Request::get(path).header(header::ACCEPT_ENCODING, accept).body(Body::empty()).unwrap();
    let response = router.oneshot(request).await.unwrap();
    let encoding = response.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_owned());
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, encoding, body)
}

#[tokio::test]
async fn precompressed_copies_are_sent_as_they_are() {
    let (state, _db) = common::state();
    let dist = tempfile::tempdir().unwrap();
    let module: Vec<u8> = (0..40_000u32).flat_map(|i| (i % 97).to_le_bytes()).collect();
    std::fs::write(dist.path().join("index.html"), "<!doctype html><title>BudTags</title>").unwrap();
    std::fs::write(dist.path().join("app_bg.wasm"), &module).unwrap();
    precompress_dir(dist.path()).unwrap();
    let router = app(state, dist.path());

    let (status, encoding, body) = get(router.clone(), "/app_bg.wasm", "br, gzip").await;
    assert_eq!((status, encoding.as_deref()), (StatusCode::OK, Some("br")));
    assert_eq!(body, std::fs::read(dist.path().join("app_bg.wasm.br")).unwrap(), "the stored copy, as is");

    let (_, encoding, body) = get(router.clone(), "/app_bg.wasm", "gzip").await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(body, std::fs::read(dist.path().join("app_bg.wasm.gz")).unwrap());

    let (_, encoding, body) = get(router.clone(), "/app_bg.wasm", "identity").await;
    assert_eq!((encoding, body), (None, module));

    // A client-side route: index.html, compressed too.
    let (status, encoding, _) = get(router, "/transfers/incoming", "br").await;
    assert_eq!((status, encoding.as_deref()), (StatusCode::OK, Some("br")));
}

fn header_of(response: &axum::response::Response, name: header::HeaderName) -> Option<String> {
    response.headers().get(name).map(|v| v.to_str().unwrap().to_owned())
}

async fn fetch(router: axum::Router, path: &str, accept: &str) -> axum::response::Response {
    let request = Request::get(path).header(header::ACCEPT_ENCODING, accept).body(Body::empty()).unwrap();
    router.oneshot(request).await.unwrap()
}

/// A repeat visit costs only the page: the deploy's hashed files are kept for
/// a year, the page is asked again each time so a new deploy shows at once,
/// and an old deploy's file is a 404, never the page in its place.
#[tokio::test]
async fn hashed_files_are_kept_for_ever_and_the_page_is_always_revalidated() {
    let (state, _db) = common::state();
    let dist = tempfile::tempdir().unwrap();
    let assets = dist.path().join("assets/0123456789abcdef");
    std::fs::create_dir_all(&assets).unwrap();
    std::fs::write(dist.path().join("index.html"), "<!doctype html><title>BudTags</title>").unwrap();
    std::fs::write(dist.path().join("sw.js"), "self.addEventListener('fetch', () => {});").unwrap();
    let module: Vec<u8> = (0..40_000u32).flat_map(|i| (i % 89).to_le_bytes()).collect();
    std::fs::write(assets.join("budtags-web_bg.wasm"), &module).unwrap();
    precompress_dir(dist.path()).unwrap();
    assert!(assets.join("budtags-web_bg.wasm.br").is_file(), "subdirectories are precompressed too");
    let router = app(state, dist.path());

    let wasm = fetch(router.clone(), "/assets/0123456789abcdef/budtags-web_bg.wasm", "br").await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(header_of(&wasm, header::CONTENT_ENCODING).as_deref(), Some("br"));
    assert_eq!(
        header_of(&wasm, header::CACHE_CONTROL).as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert!(
        header_of(&wasm, header::VARY).is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
    );

    for page in ["/", "/index.html", "/licenses/CUL-1/packages", "/sw.js"] {
        let response = fetch(router.clone(), page, "gzip").await;
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        assert_eq!(header_of(&response, header::CACHE_CONTROL).as_deref(), Some("no-cache"), "{page}");
        assert!(header_of(&response, header::VARY).is_some(), "{page}");
    }

    // The page revalidates for a few bytes.
    let first = fetch(router.clone(), "/", "identity").await;
    let modified = header_of(&first, header::LAST_MODIFIED).expect("the page says when it changed");
    let request = Request::get("/").header(header::IF_MODIFIED_SINCE, modified).body(Body::empty()).unwrap();
    let again = router.clone().oneshot(request).await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let gone = fetch(router.clone(), "/assets/fedcba9876543210/budtags-web_bg.wasm", "br").await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND, "an old deploy's file is not answered with the page");
    assert_eq!(header_of(&gone, header::CACHE_CONTROL), None, "a miss is not kept");

    // The API keeps its own rules.
    let api = fetch(router, "/api/me", "identity").await;
    assert_ne!(
        header_of(&api, header::CACHE_CONTROL).as_deref(),
        Some("public, max-age=31536000, immutable")
    );
}
