//! Signing in and out, as the app does it.

mod common;

use axum::http::{StatusCode, header};
use budtags_server::db::seed_users::{DEMO_PASSWORD, DEMO_USERS};
use budtags_wire::{ErrorBody, ErrorCode, Me, Role};
use common::{call, get, login, post_json, state};
use serde_json::json;

#[tokio::test]
async fn signing_in_sets_an_http_only_session_cookie_and_answers_me() {
    let (state, _dir) = state();
    let answer = call(
        &state,
        post_json("/api/login", json!({"email": "approver@greenleaf.test", "password": DEMO_PASSWORD})),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let cookie = answer.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    let token = cookie.strip_prefix("budtags_session=").unwrap().split(';').next().unwrap();
    assert_eq!(token.len(), 64, "{cookie}");
    assert!(cookie.ends_with("; HttpOnly; SameSite=Lax; Path=/"), "{cookie}");
    let me: Me = answer.json();
    assert_eq!((me.role, me.organization_id), (Role::Approver, 1));
    assert_eq!(me.organization_name, "Green Leaf Holdings");
    assert_eq!(me.csrf_token.len(), 64);

    let session = login(&state, "approver@greenleaf.test").await;
    let again = call(&state, session.sign(get("/api/me"), false)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json::<Me>(), session.me);
}

#[tokio::test]
async fn every_demo_user_can_sign_in_with_the_demo_password() {
    let (state, _dir) = state();
    for user in DEMO_USERS {
        let session = login(&state, user.email).await;
        assert_eq!((session.me.role, session.me.organization_id), (user.role, user.organization_id));
    }
    let upper = login(&state, "VIEWER@Sierra.test").await;
    assert_eq!(upper.me.email, "viewer@sierra.test", "e-mail addresses are case-insensitive");
}

#[tokio::test]
async fn wrong_credentials_are_401_with_the_shared_error_body() {
    let (state, _dir) = state();
    for (email, password) in [
        ("approver@greenleaf.test", "wrong"),
        ("nobody@greenleaf.test", DEMO_PASSWORD),
        ("approver@greenleaf.test", &"x".repeat(10_000)),
    ] {
        let answer =
            call(&state, post_json("/api/login", json!({"email": email, "password": password}))).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{email}");
        assert!(answer.headers.get(header::SET_COOKIE).is_none());
        assert_eq!(answer.json::<ErrorBody>().error.code, ErrorCode::Unauthorized);
    }
    let answer = call(&state, post_json("/api/login", json!({"email": "x"}))).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    answer.json::<ErrorBody>();
}

#[tokio::test]
async fn me_without_a_live_session_is_401() {
    let (state, _dir) = state();
    let answer = call(&state, get("/api/me")).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.json::<ErrorBody>().error.code, ErrorCode::Unauthorized);
    let forged = axum::http::Request::get("/api/me")
        .header(header::COOKIE, "budtags_session=0123456789abcdef")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(call(&state, forged).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logging_out_ends_the_session_and_clears_the_cookie() {
    let (state, _dir) = state();
    let session = login(&state, "operator@sierra.test").await;
    let answer = call(&state, session.sign(post_json("/api/logout", json!({})), false)).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let cleared = answer.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cleared.starts_with("budtags_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(call(&state, session.sign(get("/api/me"), false)).await.status, StatusCode::UNAUTHORIZED);
    // Logging out again, or without a session, is fine.
    assert_eq!(call(&state, post_json("/api/logout", json!({}))).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn an_empty_field_is_named_so_the_form_can_point_at_it() {
    let (state, _dir) = state();
    let answer = call(&state, post_json("/api/login", json!({"email": "  ", "password": ""}))).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let error = answer.json::<ErrorBody>().error;
    assert_eq!(error.fields.keys().map(String::as_str).collect::<Vec<_>>(), ["email", "password"]);
    let answer =
        call(&state, post_json("/api/login", json!({"email": "approver@greenleaf.test", "password": ""})))
            .await;
    assert_eq!(
        answer.json::<ErrorBody>().error.fields.get("password").map(String::as_str),
        Some("Enter your password.")
    );
}
