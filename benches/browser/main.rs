//! What the release web build costs in the browser: the initial transfer, the
//! first render of a large Packages list, how fast a live change reaches the
//! DOM, and how much memory the page holds.
//!
//! ```text
//! cargo bench --bench browser -- [--packages 1000,10000] [--loads 5] [--events 50] [--json PATH]
//! ```
//!
//! - **Bundle**: every file `index.html` loads (wasm, JS, CSS, the HTML
//!   itself; not the favicon), raw, gzip -9 and brotli q11, each file
//!   compressed on its own as HTTP would; plus what the reference server
//!   actually sent for them during the cold loads (tower-http's compression
//!   at its default level: brotli, which Chromium asks for from 127.0.0.1).
//! - **First render**, per list size: `--loads` cold loads (HTTP cache off)
//!   of `/licenses/{LICENSE}/packages` in one signed-in headless Chromium. An
//!   init script (CDP `Page.addScriptToEvaluateOnNewDocument`, so it runs
//!   before the app) timestamps, with `performance.now()` (0 = navigation
//!   start), the first `tr[data-id]` in the DOM (a MutationObserver) and
//!   "painted": a task queued from the next animation frame, i.e. after that
//!   frame was produced and the main thread was free again.
//! - **Patch latency**: `--events` quantity changes, ~150 ms apart, each to a
//!   row visible in the table, made with the server's in-process
//!   `packages::adjust_quantity`. The page timestamps each SSE
//!   `package-update` as its listener is entered, and the moment a
//!   MutationObserver sees `tr[data-id=ID][data-revision=REV]` showing the
//!   new quantity: socket → DOM. The bench takes the wall clock just before
//!   the change call; the page records `timeOrigin + now()`: server → DOM.
//! - **Memory**: JS heap (CDP `Runtime.getHeapUsage`) and wasm linear memory
//!   (`memory.buffer.byteLength`), after a forced GC, once the list is
//!   loaded and after each of four rounds of 1,000 changes ~10 ms apart;
//!   the first round is a warm-up, "no growth" is judged on the others.
//!
//! Every server (127.0.0.1, free port, fresh database) holds exactly N
//! active packages on the measured license. The bench prints a table and
//! one JSON line; it never fails on a missed target, only on errors.

#[path = "../../tests/support/mod.rs"]
mod support;

mod args;
mod page;
mod report;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use support::{
    Browser, TestServer,
    bundle::{ENTRY_PAGES, Sized, all_files, entry_files, sized},
};

use args::parse_args;
use page::{INIT_SCRIPT, VISIBLE_IDS};
use report::{Line, Summary, kb, line, mb, r2, self_check, summarize, summary_json, table};

const LICENSE: &str = "C11-0000090-LIC";
const VIEWER: &str = "viewer@greenleaf.test";
const WAIT: Duration = Duration::from_secs(60);
/// Between two measured changes.
const EVENT_SPACING: Duration = Duration::from_millis(150);
/// The memory loop: rounds of how many changes, how far apart. The first
/// round warms up (caches, JIT, tables); "no growth" is judged on the rest.
const CHURN_ROUNDS: usize = 4;
const CHURN_EVENTS: usize = 1_000;
const CHURN_SPACING: Duration = Duration::from_millis(10);

/// Targets of issues 6 and 13.
const TARGET_GZIP: u64 = 250_000;
const TARGET_BROTLI: u64 = 200_000;
const TARGET_WHOLE_APP_GZIP: u64 = 550_000;
const TARGET_FIRST_RENDER_MS: f64 = 120.0;
const TARGET_REPEAT_BYTES: f64 = 5_000.0;
const TARGET_REPEAT_PAINTED_MS: f64 = 100.0;
const TARGET_SOCKET_DOM_P99_MS: f64 = 5.0;
const TARGET_SERVER_DOM_P99_MS: f64 = 10.0;
const TARGET_MEMORY: u64 = 15_000_000;

// ---------------------------------------------------------------------------
// One list size

/// One cold load's marks, ms since navigation start.
struct Load {
    rows: f64,
    painted: f64,
    marks: Value,
}

/// Heap and wasm memory, bytes, after a forced GC.
#[derive(Clone, Copy)]
struct Memory {
    heap_used: u64,
    heap_total: u64,
    wasm: u64,
}

impl Memory {
    fn total(&self) -> u64 {
        self.heap_used + self.wasm
    }

    fn json(&self) -> Value {
        json!({ "js_heap_used": self.heap_used, "js_heap_total": self.heap_total,
                "wasm_memory": self.wasm, "heap_plus_wasm": self.total() })
    }
}

struct Patches {
    sent: usize,
    /// Changes the page never showed on their own: a newer change of the
    /// same row reached the DOM in the same render.
    superseded: usize,
    socket_dom: Option<Summary>,
    server_dom: Option<Summary>,
    server_socket: Option<Summary>,
}

impl Patches {
    fn measured(&self) -> usize {
        self.socket_dom.map_or(0, |s| s.n)
    }

    fn json(&self) -> Value {
        json!({ "sent": self.sent, "measured": self.measured(), "superseded": self.superseded,
                "socket_to_dom_ms": summary_json(self.socket_dom),
                "server_to_dom_ms": summary_json(self.server_dom),
                "server_to_socket_ms": summary_json(self.server_socket) })
    }
}

struct SizeResult {
    packages: usize,
    rows_in_dom: Option<Summary>,
    painted: Option<Summary>,
    loads: Vec<Load>,
    /// Bytes the server sent for the bundle files, per cold load (its own compression).
    served_bundle: u64,
    /// Repeat visits (same deploy, HTTP cache and service worker on).
    repeat: Vec<Value>,
    clock_offset_ms: f64,
    clock_rtt_ms: f64,
    patches: Patches,
    /// [`CHURN_ROUNDS`] rounds of [`CHURN_EVENTS`] changes, and the memory after each.
    churn: Vec<Patches>,
    memory_loaded: Memory,
    memory_after: Vec<Memory>,
}

impl SizeResult {
    fn json(&self) -> Value {
        json!({
            "packages": self.packages,
            "first_render_ms": { "rows_in_dom": summary_json(self.rows_in_dom), "painted": summary_json(self.painted) },
            "loads": self.loads.iter().map(|l| l.marks.clone()).collect::<Vec<_>>(),
            "served_bundle_bytes_per_load": self.served_bundle,
            "repeat_visits": self.repeat,
            "clock": { "page_minus_system_ms": r2(self.clock_offset_ms), "rtt_ms": r2(self.clock_rtt_ms) },
            "patches": self.patches.json(),
            "churn": self.churn.iter().map(Patches::json).collect::<Vec<_>>(),
            "memory_loaded": self.memory_loaded.json(),
            "memory_after_churn": self.memory_after.iter().map(Memory::json).collect::<Vec<_>>(),
        })
    }
}

fn wall_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Packages to seed per license so that at least `n` come out active (the
/// seed finishes ~20 %).
fn seed_count(n: usize) -> usize {
    n * 13 / 10 + 100
}

/// Finishes every active package of [`LICENSE`] beyond the first `n` (by id),
/// before any browser looks; returns how many are active.
async fn keep_active(server: &TestServer, n: usize) -> usize {
    let kept = server.state.store.call(move |c| {
        c.execute(
            "UPDATE packages SET finished_date = '2026-11-01', quantity = 0
             WHERE license_number = ?1 AND finished_date IS NULL AND id NOT IN (
               SELECT id FROM packages WHERE license_number = ?1 AND finished_date IS NULL
               ORDER BY id LIMIT ?2)",
            rusqlite_params(n),
        )?;
        Ok(())
    });
    kept.await.unwrap();
    server.active_ids(LICENSE).await.len()
}

fn rusqlite_params(n: usize) -> (&'static str, i64) {
    (LICENSE, n as i64)
}

async fn run_size(n: usize, loads: usize, events: usize, bundle: Vec<String>) -> SizeResult {
    let server = TestServer::start_with_packages(seed_count(n)).await;
    let active = keep_active(&server, n).await;
    assert_eq!(active, n, "the license should hold exactly {n} active packages");
    let browser = Browser::start().await;
    let path = format!("/licenses/{LICENSE}/packages");
    let page = format!("{}{path}", server.url);
    browser.open_as(&server, VIEWER, &path).await; // signs in; a warm-up load
    browser.wait_text("[data-testid=count]", WAIT, |t| !t.is_empty()).await;

    browser.cdp("Network.enable", json!({})).await;
    browser.cdp("Network.setCacheDisabled", json!({ "cacheDisabled": true })).await;
    // Cold means cold: the service worker (which keeps the shell) is bypassed too.
    browser.cdp("Network.setBypassServiceWorker", json!({ "bypass": true })).await;
    browser.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": INIT_SCRIPT })).await;

    // First render: cold loads.
    let served = |server: &TestServer| {
        bundle.iter().map(|f| server.response_bytes(&format!("/{f}")).body).sum::<u64>()
            + server.response_bytes(&path).body
    };
    let served_before = served(&server);
    let mut measured = Vec::new();
    for i in 0..loads {
        tokio::time::sleep(Duration::from_millis(500)).await; // let the previous page settle
        browser.client.goto(&page).await.unwrap();
        browser
            .wait_js(
                "return !!(window.__bench && window.__bench.marks.painted !== undefined)",
                json!(true),
                WAIT,
                "the rows to be painted",
            )
            .await;
        let marks = browser.eval("return window.__bench.load()").await;
        let rows = marks["rows"].as_f64().unwrap_or(f64::NAN);
        let painted = marks["painted"].as_f64().unwrap_or(f64::NAN);
        eprintln!("    load {}: rows in DOM {rows:.1} ms, painted {painted:.1} ms  {marks}", i + 1);
        measured.push(Load { rows, painted, marks });
    }
    let served_bundle = (served(&server) - served_before) / loads as u64;

    // Repeat visits: the same deploy again, with the HTTP cache and the
    // service worker on. One visit warms them; the next ones are measured.
    browser.cdp("Network.setCacheDisabled", json!({ "cacheDisabled": false })).await;
    browser.cdp("Network.setBypassServiceWorker", json!({ "bypass": false })).await;
    let mut repeat = Vec::new();
    for i in 0..=loads.min(3) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        browser.client.goto(&page).await.unwrap();
        browser
            .wait_js(
                "return !!(window.__bench && window.__bench.marks.painted !== undefined)",
                json!(true),
                WAIT,
                "the rows to be painted",
            )
            .await;
        let visit = browser.eval("return window.__bench.transferred()").await;
        eprintln!("    repeat visit {i}: {visit}");
        if i > 0 {
            repeat.push(visit);
        }
    }
    browser.cdp("Network.setCacheDisabled", json!({ "cacheDisabled": true })).await;

    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (clock_offset_ms, clock_rtt_ms) = clock_offset(&browser).await;
    let memory_loaded = memory(&browser).await;
    eprintln!("    memory after load: {}", memory_loaded.json());

    let ids: Vec<i64> = serde_json::from_value(browser.eval(VISIBLE_IDS).await).unwrap();
    assert!(!ids.is_empty(), "no visible rows to change");
    let patches = change_rows(&server, &browser, &ids, events, EVENT_SPACING).await;
    eprintln!("    patches: {}", patches.json());
    let (mut churn, mut memory_after) = (Vec::new(), Vec::new());
    for round in 1..=CHURN_ROUNDS {
        let patches = change_rows(&server, &browser, &ids, CHURN_EVENTS, CHURN_SPACING).await;
        eprintln!("    churn {round}: {}", patches.json());
        churn.push(patches);
        let after = memory(&browser).await;
        eprintln!("    memory after {} events: {}", round * CHURN_EVENTS, after.json());
        memory_after.push(after);
    }
    browser.close().await;

    let rows: Vec<f64> = measured.iter().map(|l| l.rows).filter(|x| x.is_finite()).collect();
    let painted: Vec<f64> = measured.iter().map(|l| l.painted).filter(|x| x.is_finite()).collect();
    SizeResult {
        packages: n,
        rows_in_dom: summarize(&rows),
        painted: summarize(&painted),
        loads: measured,
        served_bundle,
        repeat,
        clock_offset_ms,
        clock_rtt_ms,
        patches,
        churn,
        memory_loaded,
        memory_after,
    }
}

/// The page's `timeOrigin + now()` minus the system clock, from the
/// quickest of a few round trips; returns (offset, that round trip), ms.
async fn clock_offset(browser: &Browser) -> (f64, f64) {
    let mut best = (0.0, f64::INFINITY);
    for _ in 0..7 {
        let before = wall_ms();
        let page = browser.eval("return performance.timeOrigin + performance.now()").await.as_f64().unwrap();
        let after = wall_ms();
        if after - before < best.1 {
            best = (page - (before + after) / 2.0, after - before);
        }
    }
    best
}

/// Evaluates `expression` in the page through CDP (`Runtime.evaluate`, by
/// value). Used from the memory rounds on instead of WebDriver's script
/// execution: with WebDriver calls in each round the page's heap kept
/// growing by ~0.13 MB per round; with CDP only it levels off.
async fn page_eval(browser: &Browser, expression: &str) -> serde_json::Value {
    let answer =
        browser.cdp("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true })).await;
    answer["result"]["value"].clone()
}

/// Forces a GC, then reads the JS heap and the wasm memory.
async fn memory(browser: &Browser) -> Memory {
    browser.cdp("HeapProfiler.enable", json!({})).await;
    for _ in 0..2 {
        browser.cdp("HeapProfiler.collectGarbage", json!({})).await;
    }
    let heap = browser.cdp("Runtime.getHeapUsage", json!({})).await;
    let wasm = page_eval(browser, "window.__bench.wasmBytes()").await;
    Memory {
        heap_used: heap["usedSize"].as_f64().unwrap_or(0.0) as u64,
        heap_total: heap["totalSize"].as_f64().unwrap_or(0.0) as u64,
        wasm: wasm.as_u64().expect("the wasm memory (window.__bench.wasmBytes())"),
    }
}

/// Changes `count` packages among `ids`, one every `spacing`, and returns
/// what the page measured for them.
async fn change_rows(
    server: &TestServer,
    browser: &Browser,
    ids: &[i64],
    count: usize,
    spacing: Duration,
) -> Patches {
    page_eval(browser, "window.__bench.watch()").await;
    let mut rng = fastrand::Rng::new();
    let mut sent = Vec::with_capacity(count);
    let mut tick = tokio::time::interval(spacing);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for _ in 0..count {
        tick.tick().await;
        let id = ids[rng.usize(..ids.len())];
        // Never zero: that would finish the package and take it off the list.
        let quantity = 1.0 + f64::from(rng.u32(..50_000)) / 100.0;
        let at = wall_ms();
        let package = budtags_server::packages::adjust_quantity(&server.state, id, quantity, "Bench")
            .await
            .unwrap_or_else(|e| panic!("set package {id} to {quantity}: {e}"));
        sent.push((id, package.revision, at));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let seen = loop {
        let seen = page_eval(browser, "window.__bench.patches.length + window.__bench.superseded");
        let seen = seen.await.as_u64().unwrap_or(0);
        if seen as usize >= count || tokio::time::Instant::now() > deadline {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    if (seen as usize) < count {
        eprintln!("    only {seen} of {count} changes reached the DOM within 10 s");
    }
    let superseded = page_eval(browser, "window.__bench.superseded").await.as_u64().unwrap_or(0) as usize;
    // Taken out of the page, so they do not count in its heap afterwards.
    let take = "(() => { const b = window.__bench; b.watching = false; b.pending.clear();
                const p = b.patches; b.patches = []; return p; })()";
    let records = page_eval(browser, take).await;
    let (mut socket_dom, mut server_dom, mut server_socket) = (Vec::new(), Vec::new(), Vec::new());
    for r in records.as_array().into_iter().flatten() {
        let (id, rev) = (r["id"].as_i64(), r["rev"].as_u64());
        let Some(&(_, _, at)) = sent.iter().find(|(i, v, _)| Some(*i) == id && Some(*v) == rev) else {
            continue;
        };
        let f = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
        socket_dom.push(f("domAt") - f("msgAt"));
        server_dom.push(f("domWall") - at);
        server_socket.push(f("msgWall") - at);
    }
    Patches {
        sent: count,
        superseded,
        socket_dom: summarize(&socket_dom),
        server_dom: summarize(&server_dom),
        server_socket: summarize(&server_socket),
    }
}

// ---------------------------------------------------------------------------
// Report

/// The median of one mark over the loads.
fn median_mark(loads: &[Load], key: &str) -> Option<f64> {
    let values: Vec<f64> = loads.iter().filter_map(|l| l.marks[key].as_f64()).collect();
    summarize(&values).map(|s| s.p50)
}

/// Where a first render's time goes: the medians of each mark.
fn breakdown(loads: &[Load]) -> String {
    let m = |key| median_mark(loads, key).map_or("?".to_owned(), |v| format!("{v:.0}"));
    let kb = |key| median_mark(loads, key).map_or("?".to_owned(), |v| format!("{:.0} KB", v / 1000.0));
    format!(
        "html {} · wasm {}…{} · started {} · list {}, 1st byte {}, end {} ({} / {} JSON) · rows {} · painted {}",
        m("htmlEnd"),
        m("wasmFirstByte"),
        m("wasmEnd"),
        m("started"),
        m("listStart"),
        m("listFirstByte"),
        m("listEnd"),
        kb("listBytes"),
        kb("listDecodedBytes"),
        m("rows"),
        m("painted")
    )
}

/// What each entry page downloads before its first row, and the whole app.
struct Bundle {
    /// (what, its files), [`ENTRY_PAGES`] order: the cold packages page first.
    pages: Vec<(&'static str, Vec<Sized>)>,
    all: Vec<Sized>,
}

fn measure_bundle(dist: &std::path::Path) -> Bundle {
    let pages = ENTRY_PAGES
        .iter()
        .map(|(what, _, part)| (*what, entry_files(dist, part).iter().map(|f| sized(dist, f)).collect()))
        .collect();
    Bundle { pages, all: all_files(dist).iter().map(|f| sized(dist, f)).collect() }
}

fn sums(files: &[Sized]) -> (u64, u64, u64) {
    files.iter().fold((0, 0, 0), |(r, g, b), f| (r + f.raw, g + f.gzip, b + f.brotli))
}

fn summary_lines(bundle: &Bundle, sizes: &[SizeResult]) -> Vec<Line> {
    let mut lines = Vec::new();
    for (i, (what, files)) in bundle.pages.iter().enumerate() {
        let (raw, gzip, brotli) = sums(files);
        let value =
            format!("{} gzip / {} brotli ({} raw, {} files)", kb(gzip), kb(brotli), kb(raw), files.len());
        let (target, met) = if i == 0 {
            ("≤ 250 KB gzip, ≤ 200 KB brotli", Some(gzip <= TARGET_GZIP && brotli <= TARGET_BROTLI))
        } else {
            ("", None)
        };
        lines.push(line(format!("cold {what} page: downloaded before it shows"), value, target, met));
    }
    let (raw, gzip, brotli) = sums(&bundle.all);
    let value =
        format!("{} gzip / {} brotli ({} raw, {} files)", kb(gzip), kb(brotli), kb(raw), bundle.all.len());
    lines.push(line(
        "whole app (every file a person can load)",
        value,
        "≤ 550 KB gzip",
        Some(gzip <= TARGET_WHOLE_APP_GZIP),
    ));
    let ms = |s: Option<Summary>| {
        s.map_or("n/a".to_owned(), |s| format!("{:.1} ms (min {:.1}, max {:.1})", s.p50, s.min, s.max))
    };
    let pct = |s: Option<Summary>| {
        s.map_or("n/a".to_owned(), |s| {
            format!("p50 {:.1} / p95 {:.1} / p99 {:.1} / max {:.1} ms", s.p50, s.p95, s.p99, s.max)
        })
    };
    if let Some(served) = sizes.first().map(|s| s.served_bundle).filter(|b| *b > 0) {
        lines.push(line("cold packages page as served (server's own copies)", kb(served), "", None));
    }
    let largest = sizes.iter().map(|s| s.packages).max().unwrap_or(0);
    for s in sizes {
        let n = s.packages;
        let big = n == largest && n >= 10_000;
        lines.push(line(
            format!("{n} rows: first render, rows in DOM (median)"),
            ms(s.rows_in_dom),
            "",
            None,
        ));
        let target = if big { "≤ 120 ms" } else { "" };
        let met = big.then(|| s.painted.is_some_and(|p| p.p50 <= TARGET_FIRST_RENDER_MS));
        lines.push(line(format!("{n} rows: first render, painted (median)"), ms(s.painted), target, met));
        lines.push(line(
            format!("{n} rows: where the first render goes (medians, ms)"),
            breakdown(&s.loads),
            "",
            None,
        ));
        let field = |key: &str| -> Vec<f64> { s.repeat.iter().filter_map(|v| v[key].as_f64()).collect() };
        if let (Some(assets), Some(data), Some(painted)) =
            (summarize(&field("assets")), summarize(&field("data")), summarize(&field("painted")))
        {
            let value = format!(
                "{:.1} KB besides the data ({:.0} KB of data), painted {:.1} ms (medians of {})",
                assets.p50 / 1000.0,
                data.p50 / 1000.0,
                painted.p50,
                assets.n
            );
            let (target, met) = if big {
                (
                    "≤ 5 KB, ≤ 100 ms",
                    Some(assets.p50 <= TARGET_REPEAT_BYTES && painted.p50 <= TARGET_REPEAT_PAINTED_MS),
                )
            } else {
                ("", None)
            };
            lines.push(line(format!("{n} rows: repeat visit, transferred before paint"), value, target, met));
        }
        let measured = format!("{n} rows: changes measured / sent");
        lines.push(line(measured, format!("{} / {}", s.patches.measured(), s.patches.sent), "", None));
        let met = s.patches.socket_dom.map(|p| p.p99 <= TARGET_SOCKET_DOM_P99_MS);
        lines.push(line(format!("{n} rows: socket → DOM"), pct(s.patches.socket_dom), "p99 ≤ 5 ms", met));
        let met = s.patches.server_dom.map(|p| p.p99 <= TARGET_SERVER_DOM_P99_MS);
        lines.push(line(format!("{n} rows: server → DOM"), pct(s.patches.server_dom), "p99 ≤ 10 ms", met));
        lines.push(line(format!("{n} rows: server → socket"), pct(s.patches.server_socket), "", None));
        let m = s.memory_loaded;
        let value = format!("{} (heap {} + wasm {})", mb(m.total()), mb(m.heap_used), mb(m.wasm));
        let (target, met) = if big { ("≤ 15 MB", Some(m.total() <= TARGET_MEMORY)) } else { ("", None) };
        lines.push(line(format!("{n} rows: memory after load"), value, target, met));
        let mut before = m;
        for (round, a) in s.memory_after.iter().enumerate() {
            let value = format!(
                "{} ({:+.2} MB: heap {:+.2}, wasm {:+.2})",
                mb(a.total()),
                (a.total() as i64 - before.total() as i64) as f64 / 1e6,
                (a.heap_used as i64 - before.heap_used as i64) as f64 / 1e6,
                (a.wasm as i64 - before.wasm as i64) as f64 / 1e6
            );
            // "No growth", allowing GC noise: wasm memory unchanged, heap within 2 %.
            let met = a.wasm <= before.wasm && a.heap_used as f64 <= before.heap_used as f64 * 1.02;
            let line = match round {
                0 => line(
                    format!("{n} rows: memory after {CHURN_EVENTS} changes (vs load)"),
                    value,
                    "warm-up",
                    None,
                ),
                _ => line(
                    format!(
                        "{n} rows: memory after {} changes (vs {})",
                        (round + 1) * CHURN_EVENTS,
                        round * CHURN_EVENTS
                    ),
                    value,
                    "no growth",
                    Some(met),
                ),
            };
            lines.push(line);
            before = *a;
        }
        if let Some(c) = s.churn.first() {
            let value = format!(
                "{} of {} shown on their own ({} merged into a later render), {}",
                c.measured(),
                c.sent,
                c.superseded,
                pct(c.socket_dom)
            );
            let figure = format!("{n} rows: socket → DOM, changes 10 ms apart");
            lines.push(line(figure, value, "", None));
        }
    }
    lines
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args = parse_args();
    if !args.bench {
        self_check();
        println!("browser bench: run it with `cargo bench --bench browser -- [--packages …]`; skipped");
        return;
    }
    let dist = support::dist(); // a missing build fails here, before any browser starts
    // What the server binary does at start-up, so the app is served as deployed.
    if let Err(e) = budtags_server::precompress::precompress_dir(&dist) {
        eprintln!("  cannot precompress {}: {e}; the server compresses per request", dist.display());
    }
    let bundle = measure_bundle(&dist);
    eprintln!("browser bench: {} ({} files in all)", dist.display(), bundle.all.len());
    for f in &bundle.all {
        eprintln!("  {:<48} raw {:>9}  gzip {:>8}  brotli {:>8}", f.name, f.raw, f.gzip, f.brotli);
    }
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    let (mut sizes, mut failed) = (Vec::new(), Vec::new());
    for &n in &args.packages {
        eprintln!("  {n} packages …");
        let names = bundle.pages[0].1.iter().map(|f| f.name.clone()).filter(|n| n != "index.html").collect();
        match tokio::spawn(run_size(n, args.loads, args.events, names)).await {
            Ok(result) => sizes.push(result),
            Err(e) => {
                eprintln!("    {n} packages failed: {e}");
                failed.push(n);
            }
        }
    }
    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    println!();
    print!("{}", table(&summary_lines(&bundle, &sizes)));
    println!(
        "KB = 1,000 bytes, MB = 10^6 bytes. First render: median of {} cold loads (HTTP cache off), ms since \
         navigation start. Load average before / after: {} / {}",
        args.loads,
        load_before.trim(),
        load_after.trim()
    );
    println!();
    let report = json!({
        "bench": "browser",
        "dist": dist.display().to_string(),
        "license": LICENSE,
        "loads": args.loads,
        "events": args.events,
        "bundle": {
            "pages": bundle.pages.iter().map(|(what, files)| {
                let (raw, gzip, brotli) = sums(files);
                json!({ "page": what, "files": files.iter().map(|f| &f.name).collect::<Vec<_>>(),
                        "raw": raw, "gzip": gzip, "brotli": brotli })
            }).collect::<Vec<_>>(),
            "files": bundle.all.iter().map(|f| json!({ "name": f.name, "raw": f.raw, "gzip": f.gzip, "brotli": f.brotli }))
                .collect::<Vec<_>>(),
            "whole_app": { "raw": sums(&bundle.all).0, "gzip": sums(&bundle.all).1, "brotli": sums(&bundle.all).2 },
        },
        "sizes": sizes.iter().map(SizeResult::json).collect::<Vec<_>>(),
        "loadavg": { "before": load_before.trim(), "after": load_after.trim() },
        "failed": failed,
    });
    println!("{report}");
    if let Some(path) = &args.json {
        std::fs::write(path, format!("{report:#}\n"))
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        eprintln!("wrote {}", path.display());
    }
    if !failed.is_empty() {
        std::process::exit(1);
    }
}
