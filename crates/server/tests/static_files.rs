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
