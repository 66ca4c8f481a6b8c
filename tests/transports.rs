//! Each live transport delivers a change to the page: Pusher protocol (our
//! built-in endpoint, with Echo-style private channels) and the raw
//! WebSocket. (SSE, the default, is covered by the other browser tests.)

mod support;

use std::time::{Duration, Instant};

use budtags_server::realtime::settings::RealtimeSettings;
use budtags_wire::RealtimeDriver;
use support::{Browser, TestServer};

const LICENSE: &str = "C11-0000090-LIC";
const WAIT: Duration = Duration::from_secs(20);

async fn open_signed_in(server: &TestServer, browser: &Browser, email: &str) {
    let page = format!("{}/licenses/{LICENSE}/packages", server.url);
    browser.client.goto(&page).await.unwrap();
    browser.sign_in(email).await;
    browser.client.goto(&page).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn pusher_channels_deliver_changes_and_catch_up_after_a_drop() {
    let server =
        TestServer::start_with(RealtimeSettings::default().with_driver(RealtimeDriver::Pusher)).await;
    let browser = Browser::start().await;
    open_signed_in(&server, &browser, "approver@greenleaf.test").await;
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;
    let auths = server.seen("/broadcasting/auth");
    assert!(auths.iter().any(|s| s.status == 200), "private channels were authorised: {auths:?}");
    assert!(
        server.seen("/api/events?").is_empty()
            && server.seen("/api/events").iter().all(|s| s.path.starts_with("/api/events/replay")),
        "SSE was not used"
    );

    let id = server.active_ids(LICENSE).await[2];
    let cell = format!("tr[data-id='{id}'] [data-testid=quantity]");
    browser.wait_text(&cell, WAIT, |t| !t.is_empty()).await;
    server.set_quantity(id, 55.0).await;
    browser.wait_text(&cell, Duration::from_secs(5), |t| t.starts_with("55 ")).await;

    // The connection drops; a change happens while the page cannot reconnect.
    server.block_events.store(true, std::sync::atomic::Ordering::SeqCst);
    server.state.events.disconnect_all();
    browser.wait_text("[data-testid=connection]", WAIT, |t| t != "Live").await;
    server.set_quantity(id, 66.0).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.block_events.store(false, std::sync::atomic::Ordering::SeqCst);

    browser.wait_text("[data-testid=connection]", Duration::from_secs(40), |t| t == "Live").await;
    browser.wait_text(&cell, WAIT, |t| t.starts_with("66 ")).await;
    let deadline = Instant::now() + WAIT;
    while server.seen("/api/events/replay?after=").is_empty() {
        assert!(Instant::now() < deadline, "the client did not ask to catch up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_raw_websocket_delivers_changes() {
    let server =
        TestServer::start_with(RealtimeSettings::default().with_driver(RealtimeDriver::Websocket)).await;
    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/licenses/{LICENSE}/packages", server.url)).await.unwrap();
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;
    assert!(!server.seen("/ws").is_empty(), "connected through /ws");

    let id = server.active_ids(LICENSE).await[4];
    let cell = format!("tr[data-id='{id}'] [data-testid=quantity]");
    browser.wait_text(&cell, WAIT, |t| !t.is_empty()).await;
    server.set_quantity(id, 12.0).await;
    browser.wait_text(&cell, Duration::from_secs(5), |t| t.starts_with("12 ")).await;
    browser.close().await;
}
