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
    browser.open_as(server, email, &format!("/licenses/{LICENSE}/packages")).await;
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
    open_signed_in(&server, &browser, "operator@greenleaf.test").await;
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;
    assert!(!server.seen("/ws").is_empty(), "connected through /ws");

    let id = server.active_ids(LICENSE).await[4];
    let cell = format!("tr[data-id='{id}'] [data-testid=quantity]");
    browser.wait_text(&cell, WAIT, |t| !t.is_empty()).await;
    server.set_quantity(id, 12.0).await;
    browser.wait_text(&cell, Duration::from_secs(5), |t| t.starts_with("12 ")).await;
    browser.close().await;
}

/// On Pusher, a page follows its own channel (`transfer.{id}`) while it is
/// open (`use_follow_channel`), and leaves it when the person moves on.
#[tokio::test(flavor = "multi_thread")]
async fn pusher_follows_a_transfer_channel_only_while_its_page_is_open() {
    use budtags_wire::RealtimeEvent;
    let server =
        TestServer::start_with(RealtimeSettings::default().with_driver(RealtimeDriver::Pusher)).await;
    let browser = Browser::start().await;
    browser.open_as(&server, "operator@greenleaf.test", "/transfers/1").await;
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;
    let publish = |event: RealtimeEvent| {
        let events = server.state.events.clone();
        async move { events.change(move |_, _| Ok(((), vec![event]))).await.unwrap() }
    };
    let reads = || server.seen("/api/transfers/1").len();

    // Another operator's scan reaches this page (it reads the transfer again);
    // the subscription is made once the page is up, so publish until it lands.
    let deadline = Instant::now() + WAIT;
    loop {
        let before = reads();
        let scan = RealtimeEvent::PackageCheckedIn {
            transfer_id: 1,
            package_id: 1,
            label: "1A4FF0100000022000000001".into(),
            checked_in_by: "Ana".into(),
        };
        publish(scan).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        if reads() > before {
            break;
        }
        assert!(Instant::now() < deadline, "the transfer's channel never delivered");
    }

    // Elsewhere in the app (same connection): the channel is left, so even
    // the transfer's completion is not heard (it would toast).
    browser
        .client
        .find(fantoccini::Locator::LinkText("Label approvals"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_js("return location.pathname", serde_json::json!("/labels"), WAIT, "on /labels").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    publish(RealtimeEvent::TransferCompleted { transfer_id: 1 }).await;
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let toasts = browser.eval("return document.querySelectorAll('[data-testid=toasts] li').length").await;
    assert_eq!(toasts, serde_json::json!(0), "no event from a channel that was left");
    browser.close().await;
}
