//! What one open Packages page costs, per minute, under the real polling policy
//! (pollScale 1.0: the active list every 30 s, a 5-minute safety poll while the
//! live connection is healthy): requests (all, and the package-list ones),
//! response body bytes, and DOM mutations.
//!
//! ```text
//! cargo bench --bench polling -- [--minutes M] [SCENARIO…]
//! ```
//!
//! `M` is minutes per scenario (default 5; fractions allowed, e.g. `0.2`). Naming
//! scenarios (`unchanged`, `changing`, `hidden`, `socket-healthy`,
//! `socket-dropped`, or any part of a name) runs only those. Each scenario
//! gets its own server (127.0.0.1, free port, fresh database) and its own
//! headless Chromium. The bench prints a table and one JSON line, and asserts
//! no timings.

#[path = "../tests/support/mod.rs"]
mod support;

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use budtags_wire::PackageFilter;
use serde_json::json;
use support::{Browser, TestServer};

const LICENSE: &str = "C11-0000090-LIC";
const WAIT: Duration = Duration::from_secs(30);
/// How often scenario (b) changes a package.
const CHANGE_EVERY: Duration = Duration::from_secs(2);
/// The path scenario (b)'s writer calls; not the page's traffic.
const WRITER: &str = "/api/packages/";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    /// (a) Data unchanged, live connection blocked: pure polling, answered by `304`s.
    Unchanged,
    /// (b) A random active package changes every 2 s; live connection healthy.
    Changing,
    /// (c) The tab is hidden; live connection blocked.
    Hidden,
    /// (d) Data unchanged, live connection healthy.
    SocketHealthy,
    /// (e) Data unchanged, live connection dropped and refused from then on.
    SocketDropped,
}

impl Scenario {
    const ALL: [Scenario; 5] = [
        Scenario::Unchanged,
        Scenario::Changing,
        Scenario::Hidden,
        Scenario::SocketHealthy,
        Scenario::SocketDropped,
    ];

    fn name(self) -> &'static str {
        match self {
            Scenario::Unchanged => "unchanged",
            Scenario::Changing => "changing",
            Scenario::Hidden => "hidden",
            Scenario::SocketHealthy => "socket-healthy",
            Scenario::SocketDropped => "socket-dropped",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Scenario::Unchanged => "(a) unchanged, live blocked",
            Scenario::Changing => "(b) changing every 2 s, live",
            Scenario::Hidden => "(c) tab hidden, live blocked",
            Scenario::SocketHealthy => "(d) unchanged, socket healthy",
            Scenario::SocketDropped => "(e) unchanged, socket dropped",
        }
    }

    /// Whether `/api/events` is refused from the start.
    fn live_blocked_from_start(self) -> bool {
        matches!(self, Scenario::Unchanged | Scenario::Hidden)
    }
}

/// Counts over one scenario's measuring window.
struct Measured {
    scenario: Scenario,
    minutes: f64,
    requests: usize,
    list_requests: usize,
    list_not_modified: usize,
    body_bytes: u64,
    header_bytes: u64,
    mutations: u64,
    changes: usize,
}

impl Measured {
    fn per_minute(&self, n: f64) -> f64 {
        n / self.minutes
    }

    fn json(&self) -> serde_json::Value {
        json!({
            "scenario": self.scenario.name(),
            "minutes": round2(self.minutes),
            "requests_per_min": round2(self.per_minute(self.requests as f64)),
            "list_requests_per_min": round2(self.per_minute(self.list_requests as f64)),
            "list_304_per_min": round2(self.per_minute(self.list_not_modified as f64)),
            "response_body_bytes_per_min": round2(self.per_minute(self.body_bytes as f64)),
            "response_header_bytes_per_min_est": round2(self.per_minute(self.header_bytes as f64)),
            "dom_mutations_per_min": round2(self.per_minute(self.mutations as f64)),
            "server_changes_per_min": round2(self.per_minute(self.changes as f64)),
        })
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

struct Args {
    minutes: f64,
    only: Vec<String>,
    /// `cargo bench` passes `--bench`; `cargo test --benches` does not.
    bench: bool,
}

fn parse_args() -> Args {
    let mut args = Args { minutes: 5.0, only: Vec::new(), bench: false };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let minutes = match arg.as_str() {
            "--bench" => {
                args.bench = true;
                continue;
            }
            "--minutes" => it.next(),
            _ => match arg.strip_prefix("--minutes=") {
                Some(value) => Some(value.to_owned()),
                None if arg.starts_with('-') => continue, // libtest flags cargo may pass
                None => {
                    args.only.push(arg);
                    continue;
                }
            },
        };
        args.minutes = minutes
            .and_then(|m| m.parse::<f64>().ok())
            .filter(|m| m.is_finite() && *m > 0.0)
            .unwrap_or_else(|| {
                eprintln!("--minutes takes a positive number of minutes, e.g. `--minutes 0.5`");
                std::process::exit(2);
            });
    }
    args
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args = parse_args();
    if !args.bench {
        println!("polling bench: run it with `cargo bench --bench polling -- [--minutes M]`; skipped");
        return;
    }
    let scenarios: Vec<Scenario> = Scenario::ALL
        .into_iter()
        .filter(|s| args.only.is_empty() || args.only.iter().any(|o| s.name().contains(o.as_str())))
        .collect();
    support::dist(); // a missing build fails here, before any browser starts
    let window = Duration::from_secs_f64(args.minutes * 60.0);
    eprintln!(
        "polling bench: {} scenario(s) × {:.2} min, one Packages page ({LICENSE}) at pollScale 1.0",
        scenarios.len(),
        args.minutes
    );

    let (mut results, mut failed) = (Vec::new(), Vec::new());
    for scenario in scenarios {
        eprintln!("  {} …", scenario.label());
        // A scenario that cannot run (say, the page did not load) is reported
        // and the others still run; its browser and server stop on drop.
        match tokio::spawn(run(scenario, window)).await {
            Ok(measured) => {
                eprintln!("    {}", measured.json());
                results.push(measured);
            }
            Err(e) => {
                eprintln!("    {} failed: {e}", scenario.name());
                failed.push(scenario.name());
            }
        }
    }

    print_table(&results);
    let line = json!({
        "bench": "polling",
        "license": LICENSE,
        "poll_scale": 1.0,
        "minutes_per_scenario": args.minutes,
        "scenarios": results.iter().map(Measured::json).collect::<Vec<_>>(),
        "failed": failed,
    });
    println!("{line}");
    if !failed.is_empty() {
        std::process::exit(1);
    }
}

/// Opens the page, brings it into `scenario`'s state, then counts for `window`.
async fn run(scenario: Scenario, window: Duration) -> Measured {
    let server = TestServer::start().await;
    if scenario.live_blocked_from_start() {
        server.block_events.store(true, Ordering::SeqCst);
    }
    let browser = Browser::start().await;
    let page = format!("{}/licenses/{LICENSE}/packages", server.url);
    browser.open_with_poll_scale(&page, 1.0).await;

    let connection = "[data-testid=connection]";
    match scenario {
        Scenario::Unchanged | Scenario::Hidden => {
            browser.wait_text(connection, WAIT, |t| t != "Live" && t != "Connecting…").await;
        }
        Scenario::Changing | Scenario::SocketHealthy => {
            browser.wait_text(connection, WAIT, |t| t == "Live").await;
        }
        Scenario::SocketDropped => {
            browser.wait_text(connection, WAIT, |t| t == "Live").await;
            server.block_events.store(true, Ordering::SeqCst);
            server.state.events.disconnect_all();
            browser.wait_text(connection, WAIT, |t| t != "Live").await;
        }
    }
    if scenario == Scenario::Hidden {
        browser.set_visibility("hidden").await;
    }
    browser
        .eval(
            "window.__mutations = 0;
             new MutationObserver(m => { window.__mutations += m.length })
               .observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
             return null",
        )
        .await;

    // The page's traffic: everything but the writer's `PATCH /api/packages/{id}`
    // in scenario (b) (the page itself never calls that path).
    let list = format!("/api/licenses/{LICENSE}/packages?filter=active");
    let counts = |server: &TestServer| {
        let seen = server.seen(&list);
        let (all, writer) = (server.response_bytes(""), server.response_bytes(WRITER));
        (
            server.request_count() - server.seen(WRITER).len(),
            seen.len(),
            seen.iter().filter(|s| s.status == 304).count(),
            all.body - writer.body,
            all.headers - writer.headers,
        )
    };
    let before = counts(&server);
    let started = Instant::now();
    let changes = if scenario == Scenario::Changing {
        change_packages_for(&server, window).await
    } else {
        tokio::time::sleep(window).await;
        0
    };
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let mutations = browser.eval("return window.__mutations").await.as_u64().unwrap_or(0);
    let after = counts(&server);
    let measured = Measured {
        scenario,
        minutes,
        requests: after.0 - before.0,
        list_requests: after.1 - before.1,
        list_not_modified: after.2 - before.2,
        body_bytes: after.3 - before.3,
        header_bytes: after.4 - before.4,
        mutations,
        changes,
    };
    browser.close().await;
    measured
}

/// For `window`, sets a random active package of the license to a random
/// quantity every [`CHANGE_EVERY`], as another client would; returns how many.
async fn change_packages_for(server: &TestServer, window: Duration) -> usize {
    let mut rng = fastrand::Rng::new();
    let deadline = tokio::time::Instant::now() + window;
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + CHANGE_EVERY, CHANGE_EVERY);
    let mut changes = 0;
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => return changes,
            _ = tick.tick() => {}
        }
        let filter = PackageFilter::Active;
        let active = server
            .state
            .store
            .call(move |c| Ok(budtags_server::db::packages::list(c, LICENSE, filter)?))
            .await
            .unwrap();
        if active.is_empty() {
            continue;
        }
        let package = &active[rng.usize(..active.len())];
        // Never zero: that would finish the package and shrink the list.
        let quantity = 1.0 + f64::from(rng.u32(..50_000)) / 100.0;
        server.set_quantity(package.id, quantity).await;
        changes += 1;
    }
}

fn print_table(results: &[Measured]) {
    println!();
    println!(
        "{:<31} {:>5} {:>8} {:>9} {:>8} {:>10} {:>10} {:>9} {:>8}",
        "per minute",
        "min",
        "requests",
        "list reqs",
        "list 304",
        "body B",
        "headers B≈",
        "DOM muts",
        "changes"
    );
    for m in results {
        println!(
            "{:<31} {:>5.2} {:>8.2} {:>9.2} {:>8.2} {:>10.0} {:>10.0} {:>9.2} {:>8.2}",
            m.scenario.label(),
            m.minutes,
            m.per_minute(m.requests as f64),
            m.per_minute(m.list_requests as f64),
            m.per_minute(m.list_not_modified as f64),
            m.per_minute(m.body_bytes as f64),
            m.per_minute(m.header_bytes as f64),
            m.per_minute(m.mutations as f64),
            m.per_minute(m.changes as f64),
        );
    }
    println!(
        "requests, bytes: the page's traffic as the server saw it (the writer's PATCHes in (b) excluded); \
         body bytes as sent (compressed), header bytes estimated; changes: server-side writes"
    );
    println!();
}
