//! Every state-changing request and every WebSocket upgrade must come from
//! one of our own pages (or from no browser at all): another site's page is
//! refused with a JSON 403, even with the visitor's cookie (and CSRF token).

mod common;

use axum::http::{Method, Request, StatusCode, header};
use budtags_wire::{ErrorBody, ErrorCode};
use common::{LICENSE_ORG_1, Server, call, channel_auth_request, first_package, json_request, login, state};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

const HOST: &str = "tags.example";

fn with(
    mut request: Request<axum::body::Body>,
    headers: &[(&'static str, &str)],
) -> Request<axum::body::Body> {
    request.headers_mut().insert(header::HOST, HOST.parse().unwrap());
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    request
}

#[tokio::test]
async fn writes_from_another_sites_page_are_refused() {
    let (state, _dir) = state();
    let operator = login(&state, "operator@greenleaf.test").await;
    let id = first_package(&state, LICENSE_ORG_1).await;
    let patch =
        || json_request(Method::PATCH, &format!("/api/packages/{id}"), serde_json::json!({"Quantity": 3}));
    let cases: &[(&[(&'static str, &str)], StatusCode)] = &[
        (&[("origin", "https://evil.example")], StatusCode::FORBIDDEN),
        (&[("origin", "null")], StatusCode::FORBIDDEN),
        (&[("sec-fetch-site", "cross-site")], StatusCode::FORBIDDEN),
        (&[("origin", "http://tags.example")], StatusCode::OK),
        (&[("origin", "https://tags.example")], StatusCode::OK),
        (&[("origin", "https://proxy.example"), ("sec-fetch-site", "same-origin")], StatusCode::OK),
        // Not a browser: no Origin; the CSRF token is still required.
        (&[], StatusCode::OK),
    ];
    for (headers, expected) in cases {
        let answer = call(&state, operator.sign(with(patch(), headers), true)).await;
        assert_eq!(answer.status, *expected, "{headers:?}");
        if *expected == StatusCode::FORBIDDEN {
            assert_eq!(answer.headers[header::CONTENT_TYPE], "application/json");
            assert_eq!(answer.json::<ErrorBody>().error.code, ErrorCode::Forbidden);
        }
    }
    // Same origin without the CSRF token is still refused.
    let answer =
        call(&state, operator.sign(with(patch(), &[("origin", "http://tags.example")]), false)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);

    // Channel signatures too.
    let auth =
        with(channel_auth_request("1234.5678", "private-org.1"), &[("origin", "https://evil.example")]);
    assert_eq!(call(&state, operator.sign(auth, true)).await.status, StatusCode::FORBIDDEN);
}

/// The status of a WebSocket handshake to `path` with these headers.
async fn handshake(server: &Server, path: &str, headers: &[(&'static str, String)]) -> u16 {
    let mut request = server.ws_url(path).into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => response.status().as_u16(),
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn websocket_upgrades_from_another_sites_page_are_refused() {
    let server = Server::start().await;
    let session = login(&server.state, "viewer@greenleaf.test").await;
    let cookie = ("cookie", session.cookie.clone());
    let ours = ("origin", format!("http://{}", server.addr));
    let evil = ("origin", "https://evil.example".to_owned());
    let pusher = "/app/budtags-key?protocol=7&client=js&version=8.4.0";

    // Cross-site WebSocket hijacking: the cookie rides along, the origin gives it away.
    assert_eq!(handshake(&server, "/ws", &[cookie.clone(), evil.clone()]).await, 403);
    assert_eq!(handshake(&server, "/ws", &[cookie.clone(), ours.clone()]).await, 101);
    assert_eq!(handshake(&server, "/ws", std::slice::from_ref(&cookie)).await, 101, "not a browser");
    assert_eq!(handshake(&server, pusher, std::slice::from_ref(&evil)).await, 403);
    assert_eq!(handshake(&server, pusher, std::slice::from_ref(&ours)).await, 101);
}
