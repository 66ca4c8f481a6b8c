//! `POST /broadcasting/auth`: who gets a signature for which private channel.

mod common;

use axum::http::StatusCode;
use budtags_pusher::{AuthResponse, auth};
use budtags_wire::{ErrorBody, ErrorCode};
use common::{LICENSE_ORG_1, LICENSE_ORG_2, call, channel_auth_request, login, state};

const SOCKET: &str = "1234.5678";

#[tokio::test]
async fn a_member_gets_a_valid_signature_for_each_channel_of_their_organization() {
    let (state, _dir) = state();
    let session = login(&state, "viewer@greenleaf.test").await;
    let app = common::pusher_app(&state);
    for channel in [
        "private-org.1".to_owned(),
        "private-org.1.inventory".to_owned(),
        format!("private-license.{LICENSE_ORG_1}"),
        "private-license.C11-0000091-LIC".to_owned(),
        "private-transfer.1".to_owned(),
        "private-job.demo-1".to_owned(),
    ] {
        let answer = call(&state, session.sign(channel_auth_request(SOCKET, &channel), true)).await;
        assert_eq!(answer.status, StatusCode::OK, "{channel}: {}", String::from_utf8_lossy(&answer.body));
        let body: AuthResponse = answer.json();
        assert!(body.auth.starts_with(&format!("{}:", app.key)), "{}", body.auth);
        assert!(auth::verify(&app.key, &app.secret, SOCKET, &channel, None, &body.auth), "{channel}");
        assert_eq!(body.channel_data, None);
    }
}

#[tokio::test]
async fn another_organizations_channels_are_403() {
    let (state, _dir) = state();
    let sierra = login(&state, "approver@sierra.test").await;
    for channel in [
        "private-org.1".to_owned(),
        "private-org.1.inventory".to_owned(),
        format!("private-license.{LICENSE_ORG_1}"),
        "private-transfer.1".to_owned(),
        "private-job.demo-1".to_owned(),
        // Things that do not exist, and channels this server does not have.
        "private-org.99".to_owned(),
        "private-transfer.999".to_owned(),
        "private-team.2".to_owned(),
        // Not private channels.
        "org.2".to_owned(),
        "presence-org.2".to_owned(),
        "private-encrypted-org.2".to_owned(),
    ] {
        let answer = call(&state, sierra.sign(channel_auth_request(SOCKET, &channel), true)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{channel}");
        assert_eq!(answer.json::<ErrorBody>().error.code, ErrorCode::Forbidden);
    }
    let own = format!("private-license.{LICENSE_ORG_2}");
    let answer = call(&state, sierra.sign(channel_auth_request(SOCKET, &own), true)).await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn no_session_is_401_and_a_wrong_csrf_token_is_403() {
    let (state, _dir) = state();
    let answer = call(&state, channel_auth_request(SOCKET, "private-org.1")).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.json::<ErrorBody>().error.code, ErrorCode::Unauthorized);

    let session = login(&state, "approver@greenleaf.test").await;
    let answer = call(&state, session.sign(channel_auth_request(SOCKET, "private-org.1"), false)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "no CSRF header");
    let mut request = session.sign(channel_auth_request(SOCKET, "private-org.1"), false);
    request.headers_mut().insert("x-csrf-token", "f".repeat(64).parse().unwrap());
    assert_eq!(call(&state, request).await.status, StatusCode::FORBIDDEN, "someone else's CSRF token");
}

#[tokio::test]
async fn malformed_requests_are_400() {
    let (state, _dir) = state();
    let session = login(&state, "approver@greenleaf.test").await;
    for (socket_id, channel) in
        [("1234", "private-org.1"), ("abc.def", "private-org.1"), (SOCKET, ""), (SOCKET, "private-org%201")]
    {
        let answer = call(&state, session.sign(channel_auth_request(socket_id, channel), true)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{socket_id} {channel}");
        assert_eq!(answer.json::<ErrorBody>().error.code, ErrorCode::BadRequest);
    }
    let missing_channel = axum::http::Request::post("/broadcasting/auth")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from("socket_id=1.2"))
        .unwrap();
    assert_eq!(call(&state, session.sign(missing_channel, true)).await.status, StatusCode::BAD_REQUEST);
}
