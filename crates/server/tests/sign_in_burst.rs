//! An attacker sends 1,024 wrong passwords at once over real TCP. Each
//! Argon2 check takes 4 MiB; unbounded, they ran all at once on their own
//! threads and the server grew by gigabytes (issue 11, finding 1). The server
//! checks a few at a time, turns the rest away with 429 and `Retry-After`,
//! its memory stays near where it started, and a real user still signs in.
//!
//! Its own test binary, so no other test's allocations move the figures.

mod common;

use std::{
    net::{IpAddr, Ipv4Addr},
    time::{Duration, Instant},
};

use axum::{
    body::Bytes,
    http::{Request, StatusCode, header},
};
use common::Server;
use http_body_util::{BodyExt, Full};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};

/// Wrong passwords in flight at once.
const BURST: usize = 1_024;
/// How much the whole test process (server and client) may grow, at its peak.
/// Seen: +148 to +210 MB on 2 shared cores (1,024 client and server
/// connections, two Argon2 checks at a time); before the fix, +4.2 GB.
const PEAK_GROWTH_LIMIT_KB: u64 = 256 * 1024;

/// `VmRSS` and `VmHWM` (peak resident) of this process, in KiB.
fn memory_kb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or_else(|| panic!("{name} in /proc/self/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// An HTTP/1 client whose connections come from `local` (any 127.x address is loopback).
fn client_from(local: Ipv4Addr) -> Client<HttpConnector, Full<Bytes>> {
    let mut connector = HttpConnector::new();
    connector.set_local_address(Some(IpAddr::V4(local)));
    Client::builder(TokioExecutor::new()).pool_max_idle_per_host(0).build(connector)
}

fn login(server: &Server, email: &str, password: &str) -> Request<Full<Bytes>> {
    let body = serde_json::json!({"email": email, "password": password}).to_string();
    Request::post(format!("http://{}/api/login", server.addr))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_wrong_passwords_leaves_memory_near_its_baseline_and_real_users_sign_in() {
    let server = Server::start().await;
    // From sixteen addresses, 64 guesses each: under the per-address limit,
    // so every guess reaches the password check and the load is the check's.
    let attackers: Vec<_> = (0..16).map(|n| client_from(Ipv4Addr::new(127, 0, 1, n))).collect();
    let attacker = &attackers[0];
    // Warm up: the first check builds the stand-in hash for unknown addresses.
    let warm = attacker.request(login(&server, "approver@greenleaf.test", "warm-up")).await.unwrap();
    assert_eq!(warm.status(), StatusCode::UNAUTHORIZED);
    let (baseline, _) = memory_kb();

    let started = Instant::now();
    let attempts: Vec<_> = (0..BURST)
        .map(|n| {
            // Many accounts, existing and not, so no per-account limit hides the load.
            let email =
                if n % 3 == 0 { "approver@greenleaf.test".into() } else { format!("user{n}@greenleaf.test") };
            let request = login(&server, &email, &format!("guess-{n}"));
            let client = attackers[n % attackers.len()].clone();
            tokio::spawn(async move {
                let response = client.request(request).await.expect("an answer, not a dropped connection");
                let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
                let status = response.status();
                let _ = response.into_body().collect().await;
                (status, retry_after)
            })
        })
        .collect();
    let (mut refused, mut busy) = (0, 0);
    for attempt in attempts {
        let (status, retry_after) = attempt.await.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => refused += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(retry_after.is_some(), "a 429 says when to come back");
                busy += 1;
            }
            other => panic!("a wrong password is 401 or 429, not {other}"),
        }
    }
    let elapsed = started.elapsed();
    let (after, peak) = memory_kb();
    eprintln!(
        "{BURST} wrong passwords in {elapsed:.1?}: {refused} × 401, {busy} × 429; \
         VmRSS {baseline} kB before, {after} kB after; VmHWM {peak} kB (+{} kB)",
        peak.saturating_sub(baseline)
    );
    assert_eq!(refused + busy, BURST);
    assert!(
        peak < baseline + PEAK_GROWTH_LIMIT_KB,
        "peak resident memory grew by {} kB (limit {PEAK_GROWTH_LIMIT_KB} kB)",
        peak - baseline
    );

    // Someone else, from another address, signs in right after the burst.
    let user = client_from(Ipv4Addr::new(127, 0, 0, 2));
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        let response = user.request(login(&server, "viewer@greenleaf.test", "budtags")).await.unwrap();
        if response.status() != StatusCode::TOO_MANY_REQUESTS || Instant::now() > deadline {
            break response.status();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(status, StatusCode::OK, "a real user signs in after the burst");
}
