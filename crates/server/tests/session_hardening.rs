//! Sessions (issue 11, finding 8): kept as a hash, rotated at sign-in, ended
//! when idle, and a `Secure` cookie for HTTPS deployments.

mod common;

use axum::http::{StatusCode, header};
use budtags_server::{
    AppState,
    auth::{AuthSettings, session::SessionId, unix_now},
};
use common::{Session, call, get, login, post_json, state};
use serde_json::json;

fn token(session: &Session) -> String {
    session.cookie.strip_prefix("budtags_session=").unwrap().to_owned()
}

/// `(token_hash, last_seen_at)` of every stored session.
async fn stored(state: &AppState) -> Vec<(String, i64)> {
    state
        .store
        .call(|conn| {
            let mut statement = conn.prepare("SELECT token_hash, last_seen_at FROM sessions")?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap()
}

async fn set_last_seen(state: &AppState, session: &Session, at: i64) {
    let hash = SessionId::of(&token(session)).to_hex();
    state
        .store
        .call(move |c| {
            Ok(c.execute("UPDATE sessions SET last_seen_at = ?1 WHERE token_hash = ?2", (at, hash))?)
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn someone_with_a_copy_of_the_database_finds_no_usable_cookie_in_it() {
    let (state, _dir) = state();
    let session = login(&state, "approver@greenleaf.test").await;
    let rows = stored(&state).await;
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].0, token(&session), "the token itself is not stored");
    assert_eq!(rows[0].0, SessionId::of(&token(&session)).to_hex());
    let replayed = axum::http::Request::get("/api/me")
        .header(header::COOKIE, format!("budtags_session={}", rows[0].0))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(call(&state, replayed).await.status, StatusCode::UNAUTHORIZED, "the hash is no cookie");
}

#[tokio::test]
async fn signing_in_again_in_the_same_browser_ends_the_session_it_had() {
    let (state, _dir) = state();
    let first = login(&state, "operator@greenleaf.test").await;
    let answer = call(
        &state,
        first.sign(
            post_json("/api/login", json!({"email": "viewer@greenleaf.test", "password": "budtags"})),
            false,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let second = answer.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    assert_ne!(second, first.cookie, "a fresh token");
    assert_eq!(call(&state, first.sign(get("/api/me"), false)).await.status, StatusCode::UNAUTHORIZED);
    let mut me = get("/api/me");
    me.headers_mut().insert(header::COOKIE, second.parse().unwrap());
    assert_eq!(call(&state, me).await.status, StatusCode::OK);
    assert_eq!(stored(&state).await.len(), 1, "the old session is deleted, not just left");
}

#[tokio::test]
async fn a_session_left_alone_for_twelve_hours_ends_and_one_in_use_is_kept_alive() {
    let (state, _dir) = state();
    let idle = login(&state, "approver@sierra.test").await;
    let busy = login(&state, "viewer@sierra.test").await;
    let now = unix_now();
    set_last_seen(&state, &idle, now - 12 * 3600 - 1).await;
    assert_eq!(call(&state, idle.sign(get("/api/me"), false)).await.status, StatusCode::UNAUTHORIZED);

    // Seen 11 hours ago: still good, and this request counts as activity.
    set_last_seen(&state, &busy, now - 11 * 3600).await;
    assert_eq!(call(&state, busy.sign(get("/api/me"), false)).await.status, StatusCode::OK);
    let busy_hash = SessionId::of(&token(&busy)).to_hex();
    let seen = |rows: Vec<(String, i64)>| rows.into_iter().find(|(h, _)| *h == busy_hash).unwrap().1;
    assert!(seen(stored(&state).await) >= now, "last seen moved to now");

    // Within a minute of the last write, requests do not write again.
    set_last_seen(&state, &busy, now - 30).await;
    assert_eq!(call(&state, busy.sign(get("/api/me"), false)).await.status, StatusCode::OK);
    assert_eq!(seen(stored(&state).await), now - 30);
}

async fn cookie_for(state: &AppState, forwarded_proto: Option<&str>) -> String {
    let mut request =
        post_json("/api/login", json!({"email": "viewer@greenleaf.test", "password": "budtags"}));
    if let Some(proto) = forwarded_proto {
        request.headers_mut().insert("x-forwarded-proto", proto.parse().unwrap());
    }
    let answer = call(state, request).await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.headers[header::SET_COOKIE].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_cookie_is_secure_when_the_site_is_served_over_https() {
    let (plain, _dir) = state();
    assert!(!cookie_for(&plain, None).await.contains("Secure"));
    assert!(!cookie_for(&plain, Some("https")).await.contains("Secure"), "the header alone is not trusted");

    let (secure, _dir2) = state();
    let secure = secure.with_auth(AuthSettings { secure_cookies: true, ..AuthSettings::default() });
    assert!(cookie_for(&secure, None).await.ends_with("; Secure"));

    let (proxied, _dir3) = state();
    let proxied = proxied.with_auth(AuthSettings { trust_proxy: true, ..AuthSettings::default() });
    assert!(cookie_for(&proxied, Some("https")).await.ends_with("; Secure"));
    assert!(!cookie_for(&proxied, Some("http")).await.contains("Secure"));
}

#[tokio::test]
async fn sessions_stored_by_their_raw_token_are_dropped_by_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    drop(budtags_server::Store::open(&path, 2).unwrap());
    {
        // Back to the schema before migration 0005 (so without the later
        // migrations' tables), with a raw-token session in it.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE sessions;
             DROP TABLE app_secrets;
             CREATE TABLE sessions (token TEXT PRIMARY KEY, user_id INTEGER NOT NULL, csrf_token TEXT NOT NULL,
                                    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
             INSERT INTO sessions VALUES ('raw-token', 1, 'csrf', 0, 9999999999);
             PRAGMA user_version = 4;",
        )
        .unwrap();
    }
    let store = budtags_server::Store::open(&path, 2).unwrap();
    let state = AppState::new(store);
    assert!(stored(&state).await.is_empty(), "the raw-token session is gone");
    let forged = axum::http::Request::get("/api/me")
        .header(header::COOKIE, "budtags_session=raw-token")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(call(&state, forged).await.status, StatusCode::UNAUTHORIZED);
    login(&state, "viewer@greenleaf.test").await;
}
