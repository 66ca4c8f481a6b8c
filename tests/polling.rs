//! Polling as a person's browser does it, counted at the server: nothing while
//! the tab is hidden, one refetch at once when it is visible again, `304`s that
//! leave the page untouched, and a live connection that replaces polling until
//! it drops — with nothing lost when it comes back.
//!
//! `localStorage["budtags.pollScale"] = 0.1` runs the page's real policy
//! (30 s active list, 20 s stale, 5 min safety poll) ten times faster.

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{Browser, TestServer};

const LICENSE: &str = "C11-0000090-LIC";
const SCALE: f64 = 0.1;
/// The active list's 30 s interval, scaled.
const INTERVAL: Duration = Duration::from_millis(3_000);
const WAIT: Duration = Duration::from_secs(20);

fn active_list(server: &TestServer) -> usize {
    server.seen(&format!("/api/licenses/{LICENSE}/packages?filter=active")).len()
}

async fn open_scaled(server: &TestServer, browser: &Browser) {
    let page = format!("{}/licenses/{LICENSE}/packages", server.url);
    browser.open_as(server, "viewer@greenleaf.test", &format!("/licenses/{LICENSE}/packages")).await;
    browser.eval(&format!("localStorage.setItem('budtags.pollScale', '{SCALE}'); return null")).await;
    browser.client.goto(&page).await.unwrap();
    browser.wait_text("[data-testid=count]", WAIT, |t| !t.is_empty()).await;
}

/// Waits until no fetch is in flight (the page's "Refreshing…" is hidden), so
/// the request log is complete before counting.
async fn settle(browser: &Browser) {
    let idle = "return document.querySelector('[data-testid=refreshing]').classList.contains('hidden')";
    browser.wait_js(idle, serde_json::json!(true), WAIT, "a fetch never finished").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
}

async fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out after {timeout:?}: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Makes the page report `hidden` / `visible` and fires `visibilitychange`,
/// exactly as the browser does when a person switches tabs.
async fn set_visibility(browser: &Browser, state: &str) {
    let script = format!(
        "Object.defineProperty(document, 'visibilityState', {{ value: '{state}', configurable: true }});
         Object.defineProperty(document, 'hidden', {{ value: {}, configurable: true }});
         document.dispatchEvent(new Event('visibilitychange')); return null",
        state == "hidden"
    );
    browser.eval(&script).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hidden_tab_sends_no_polls_and_refetches_once_when_visible_again() {
    let server = TestServer::start().await;
    server.block_events.store(true, std::sync::atomic::Ordering::SeqCst); // no socket: plain polling
    let browser = Browser::start().await;
    open_scaled(&server, &browser).await;
    wait_until("the active list polls", WAIT, || active_list(&server) >= 3).await;

    set_visibility(&browser, "hidden").await;
    settle(&browser).await; // a request already in flight lands
    let before = active_list(&server);
    tokio::time::sleep(INTERVAL * 3).await;
    assert_eq!(active_list(&server), before, "no request while hidden for 3× the interval");

    let shown = Instant::now();
    set_visibility(&browser, "visible").await;
    wait_until("a refetch on becoming visible", Duration::from_secs(2), || active_list(&server) > before)
        .await;
    assert!(
        shown.elapsed() < INTERVAL / 2,
        "refetched at once, not at the next tick ({:?})",
        shown.elapsed()
    );
    tokio::time::sleep(INTERVAL / 3).await;
    assert_eq!(active_list(&server), before + 1, "exactly one refetch");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unchanged_list_answers_304_and_the_table_is_not_touched() {
    let server = TestServer::start().await;
    server.block_events.store(true, std::sync::atomic::Ordering::SeqCst);
    let browser = Browser::start().await;
    open_scaled(&server, &browser).await;
    browser
        .eval(
            "window.__mutations = 0;
             new MutationObserver(m => { window.__mutations += m.length })
               .observe(document.querySelector('[data-testid=packages]'),
                        { subtree: true, childList: true, attributes: true, characterData: true });
             return null",
        )
        .await;
    let updated = browser.text("[data-testid=updated-at]").await;
    let not_modified = || server.seen("/api/licenses").iter().filter(|s| s.status == 304).count();
    wait_until("three 304 answers", WAIT, || not_modified() >= 3).await;
    assert_eq!(browser.eval("return window.__mutations").await, json!(0), "a 304 changes nothing");
    assert_eq!(browser.text("[data-testid=updated-at]").await, updated);

    // The observer does see a real change brought by the next poll.
    let id =
        server.state.store.call(|c| Ok(c.query_row("SELECT MIN(id) FROM packages", [], |r| r.get(0))?)).await;
    let id: i64 = id.unwrap();
    server.set_quantity(id, 4.0).await;
    let deadline = Instant::now() + WAIT;
    while browser.eval("return window.__mutations").await == json!(0) {
        assert!(Instant::now() < deadline, "the changed list never reached the table");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_healthy_live_connection_replaces_polling_and_nothing_is_lost_when_it_drops() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    open_scaled(&server, &browser).await;
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;
    settle(&browser).await;

    let before = active_list(&server);
    tokio::time::sleep(INTERVAL * 3).await;
    assert_eq!(active_list(&server), before, "covered by the live connection: no polling");

    // The connection drops and cannot come back for now: polling engages at once.
    server.block_events.store(true, std::sync::atomic::Ordering::SeqCst);
    server.state.events.disconnect_all();
    browser.wait_text("[data-testid=connection]", WAIT, |t| t != "Live").await;
    wait_until("fallback polling", Duration::from_secs(5), || active_list(&server) > before).await;

    // While the page is disconnected the data changes on the server...
    let filter = budtags_wire::PackageFilter::Active;
    let active =
        server.state.store.call(move |c| Ok(budtags_server::db::packages::list(c, LICENSE, filter)?));
    let id = active.await.unwrap()[3].id;
    server.set_quantity(id, 77.0).await;

    // ...and once it is back, the page converges to the server's truth.
    server.block_events.store(false, std::sync::atomic::Ordering::SeqCst);
    browser.wait_text("[data-testid=connection]", Duration::from_secs(40), |t| t == "Live").await;
    let cell = format!("tr[data-id='{id}'] [data-testid=quantity]");
    browser.wait_text(&cell, WAIT, |t| t.starts_with("77 ")).await;
    browser.close().await;
}
