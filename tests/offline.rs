//! The network drops, comes back, and nothing is lost.
//!
//! Chromium is taken offline the way DevTools' "Offline" switch does it (the
//! Chrome DevTools Protocol's `Network.emulateNetworkConditions`): requests
//! fail at once, `navigator.onLine` turns false and the page gets `offline`,
//! then `online` when the network is back. The live connection is blocked so
//! the page relies on plain polling, run twenty times faster by
//! `localStorage["budtags.pollScale"] = 0.05`.

mod support;

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use budtags_wire::PackageFilter;
use serde_json::json;
use support::{Browser, TestServer, wait_until};

const LICENSE: &str = "C11-0000090-LIC";
const SCALE: f64 = 0.05;
/// The active list's 30 s interval, scaled.
const INTERVAL: Duration = Duration::from_millis(1_500);
const WAIT: Duration = Duration::from_secs(20);

fn list_path() -> String {
    format!("/api/licenses/{LICENSE}/packages?filter=active")
}

fn active_list(server: &TestServer) -> usize {
    server.seen(&list_path()).len()
}

/// Watches the page from the inside: `online`/`offline` events, every fetch
/// it starts (even one the offline network fails before it leaves the
/// browser), and whether an error panel shows at any moment.
const WATCH: &str = "
    window.__same_page = true;
    const net = window.__net = { offline: 0, online: 0, errorPanels: 0, fetches: [] };
    addEventListener('offline', () => net.offline++);
    addEventListener('online', () => net.online++);
    const fetch0 = window.fetch;
    window.fetch = function (input) {
        net.fetches.push(String(input && input.url ? input.url : input));
        return fetch0.apply(this, arguments);
    };
    const errorShown = () => { if (document.querySelector('[data-testid=error]')) net.errorPanels++ };
    new MutationObserver(errorShown).observe(document.body, { subtree: true, childList: true });
    return null";

async fn list_fetches_started(browser: &Browser) -> usize {
    let script = format!("return window.__net.fetches.filter(u => u.endsWith('{}')).length", list_path());
    browser.eval(&script).await.as_u64().unwrap() as usize
}

async fn error_panels(browser: &Browser) -> serde_json::Value {
    browser
        .eval("return [window.__net.errorPanels, document.querySelector('[data-testid=error]') !== null]")
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_network_drops_comes_back_and_nothing_is_lost() {
    let server = TestServer::start().await;
    server.block_events.store(true, Ordering::SeqCst); // no live connection: plain polling
    let browser = Browser::start().await;
    browser.open_with_poll_scale(&format!("{}/licenses/{LICENSE}/packages", server.url), SCALE).await;
    wait_until("the active list polls", WAIT, || active_list(&server) >= 2).await;
    // A page that has been up a while: the blocked live connection has failed
    // often enough that its next attempt is seconds away (full-jitter backoff,
    // ceiling 0.5 s × 2ⁿ; 16 s after five attempts), as it is for anyone
    // whose network drops after a few seconds without a live connection.
    let attempts = || server.seen("/api/events").len();
    wait_until("five attempts at the live connection", Duration::from_secs(40), || attempts() >= 5).await;

    let filter = PackageFilter::Active;
    let active =
        server.state.store.call(move |c| Ok(budtags_server::db::packages::list(c, LICENSE, filter)?));
    let target = active.await.unwrap()[3].clone();
    let cell = format!("tr[data-id='{}'] [data-testid=quantity]", target.id);
    browser.wait_text(&cell, WAIT, |t| !t.is_empty()).await;
    browser.eval(WATCH).await;

    // The network drops.
    browser.set_offline(true).await;
    let went_offline = Instant::now();
    let deadline = went_offline + Duration::from_secs(1);
    loop {
        let seen = browser.eval("return [navigator.onLine, window.__net.offline]").await;
        if seen == json!([false, 1]) {
            break;
        }
        assert!(Instant::now() < deadline, "the emulated network drop did not reach the page: {seen}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    browser.wait_text("[data-testid=connection]", Duration::from_secs(1), |t| t == "Offline").await;

    // While offline the page does not even try: no list request is started in
    // the page, none reaches the server, for three whole intervals.
    tokio::time::sleep(Duration::from_millis(200)).await; // a request already in flight lands
    let (server_before, page_before) = (active_list(&server), list_fetches_started(&browser).await);
    tokio::time::sleep(INTERVAL * 3).await;
    assert_eq!(active_list(&server), server_before, "no list request reached the server while offline");
    assert_eq!(list_fetches_started(&browser).await, page_before, "no list request started while offline");
    assert_eq!(browser.text("[data-testid=connection]").await.as_deref(), Some("Offline"));
    assert_eq!(error_panels(&browser).await, json!([0, false]), "being offline is not an error");

    // The data changes on the server meanwhile...
    server.set_quantity(target.id, 61.5).await;

    // ...and when the network is back the page refetches at once and shows it.
    browser.set_offline(false).await;
    let back = Instant::now();
    wait_until("a refetch when the network is back", Duration::from_secs(1), || {
        active_list(&server) > server_before
    })
    .await;
    let refetched_after = back.elapsed();
    let shown = browser.wait_text(&cell, Duration::from_secs(5), |t| t.starts_with("61.5 ")).await;
    assert_eq!(shown, format!("61.5 {}", target.unit_of_measure_abbreviation));
    tokio::time::sleep(INTERVAL / 3).await;
    assert_eq!(active_list(&server), server_before + 1, "one refetch, not a burst");
    assert_eq!(browser.eval("return [navigator.onLine, window.__net.online]").await, json!([true, 1]));
    browser.wait_text("[data-testid=connection]", Duration::from_secs(2), |t| t != "Offline").await;
    assert_eq!(error_panels(&browser).await, json!([0, false]), "no error on the way back");
    assert_eq!(browser.eval("return window.__same_page === true").await, json!(true), "no reload");
    eprintln!("refetched {refetched_after:?} after the network came back");
    browser.close().await;
}
