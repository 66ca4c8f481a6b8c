//! Brute force (issue 11, finding 7): failed sign-ins are limited per
//! account and per client address, answered 429 with `Retry-After`.

mod common;

use std::{net::SocketAddr, time::Instant};

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode, header},
};
use budtags_server::auth::{AuthSettings, throttle::SignInLimits};
use budtags_wire::{ErrorBody, ErrorCode};
use common::{Answer, call, post_json, state};
use serde_json::json;

fn attempt(email: &str, password: &str) -> Request<Body> {
    post_json("/api/login", json!({"email": email, "password": password}))
}

/// `request` as if it came over a connection from `peer`.
fn from(peer: &str, mut request: Request<Body>) -> Request<Body> {
    let addr: SocketAddr = format!("{peer}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    request
}

fn retry_after(answer: &Answer) -> u64 {
    answer.headers.get(header::RETRY_AFTER).expect("Retry-After").to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn an_attacker_guessing_one_password_is_stopped_after_ten_tries_even_with_the_right_one() {
    let (state, _dir) = state();
    let started = Instant::now();
    let mut statuses = Vec::new();
    for n in 0..400 {
        let answer = call(&state, attempt("Approver@GreenLeaf.test ", &format!("guess-{n}"))).await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(answer.json::<ErrorBody>().error.code, ErrorCode::RateLimited);
            assert!((1..=900).contains(&retry_after(&answer)), "within the 15-minute window");
        }
        statuses.push(answer.status);
    }
    let elapsed = started.elapsed();
    let wrong = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    eprintln!("400 guesses in {elapsed:.2?}: {wrong} × 401, {} × 429", 400 - wrong);
    assert_eq!(wrong, 10, "only ten guesses are checked");
    assert!(statuses[10..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS));

    // The right password does not get through either: it would tell the attacker.
    let right = call(&state, attempt("approver@greenleaf.test", "budtags")).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    // Other people sign in as usual.
    assert_eq!(call(&state, attempt("viewer@greenleaf.test", "budtags")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn signing_in_clears_the_accounts_failures() {
    let (state, _dir) = state();
    for _ in 0..9 {
        assert_eq!(
            call(&state, attempt("viewer@sierra.test", "typo")).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(call(&state, attempt("viewer@sierra.test", "budtags")).await.status, StatusCode::OK);
    for n in 0..10 {
        let answer = call(&state, attempt("viewer@sierra.test", "typo")).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "a fresh ten after signing in ({n})");
    }
    assert_eq!(
        call(&state, attempt("viewer@sierra.test", "typo")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

fn few_per_client(trust_proxy: bool) -> AuthSettings {
    let mut limits = SignInLimits::default();
    limits.per_client.failures = 5;
    AuthSettings { trust_proxy, limits, ..AuthSettings::default() }
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_limited_and_other_addresses_are_not() {
    let (state, _dir) = state();
    let state = state.with_auth(few_per_client(false));
    for n in 0..5 {
        let answer = call(&state, from("203.0.113.9", attempt(&format!("user{n}@x.test"), "guess"))).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let answer = call(&state, from("203.0.113.9", attempt("user9@x.test", "guess"))).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    // Without --trust-proxy a forged X-Forwarded-For changes nothing.
    let mut forged = from("203.0.113.9", attempt("user9@x.test", "guess"));
    forged.headers_mut().insert("x-forwarded-for", "198.51.100.1".parse().unwrap());
    assert_eq!(call(&state, forged).await.status, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = call(&state, from("198.51.100.1", attempt("approver@sierra.test", "budtags"))).await;
    assert_eq!(elsewhere.status, StatusCode::OK);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_address_has_its_own_limit() {
    let (state, _dir) = state();
    let state = state.with_auth(few_per_client(true));
    let via_proxy = |client: &str, email: &str, password: &str| {
        let mut request = from("10.0.0.1", attempt(email, password));
        let chain = format!("1.1.1.1, {client}");
        request.headers_mut().insert("x-forwarded-for", chain.parse().unwrap());
        request
    };
    for n in 0..5 {
        let answer = call(&state, via_proxy("203.0.113.9", &format!("user{n}@x.test"), "guess")).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = call(&state, via_proxy("203.0.113.9", "user9@x.test", "guess")).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    let other = call(&state, via_proxy("198.51.100.1", "approver@sierra.test", "budtags")).await;
    assert_eq!(other.status, StatusCode::OK, "the proxy's other clients are not blocked");
}
