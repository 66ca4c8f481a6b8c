//! A colleague's decision reaches everyone watching as a toast: announced to
//! screen readers, dismissable, gone by itself after a few seconds.

mod support;

use std::time::Duration;

use budtags_wire::RealtimeEvent;
use support::{Browser, TestServer};

const WAIT: Duration = Duration::from_secs(20);

async fn publish(server: &TestServer, event: RealtimeEvent) {
    server.state.events.change(move |_, _| Ok(((), vec![event]))).await.unwrap();
}

const TOAST_COUNT: &str = "return document.querySelectorAll('[data-testid=toasts] li').length";

async fn toast_count(browser: &Browser) -> u64 {
    browser.eval(TOAST_COUNT).await.as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_label_decision_is_toasted_announced_and_can_be_dismissed() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser.open_as(&server, "approver@greenleaf.test", "/licenses/C11-0000090-LIC/packages").await;
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;

    publish(
        &server,
        RealtimeEvent::LabelApproved { organization_id: 1, label_id: 7, approved_by: "Ana".into() },
    )
    .await;
    let toast = browser.wait_text("[data-testid=toasts] li", WAIT, |t| !t.is_empty()).await;
    assert!(toast.contains("Label #7 approved by Ana"), "{toast}");
    let live =
        browser.eval("return document.querySelector('[data-testid=toasts]').getAttribute('aria-live')").await;
    assert_eq!(live, serde_json::json!("polite"));
    let role =
        browser.eval("return document.querySelector('[data-testid=toasts] li').getAttribute('role')").await;
    assert_eq!(role, serde_json::json!("status"));

    publish(
        &server,
        RealtimeEvent::LabelRejected {
            organization_id: 1,
            label_id: 8,
            rejected_by: "Bo".into(),
            reason: "wrong THC".into(),
        },
    )
    .await;
    browser
        .wait_text("[data-testid=toasts] li:nth-child(2)", WAIT, |t| t.contains("rejected: wrong THC"))
        .await;
    let role = browser
        .eval("return document.querySelector('[data-testid=toasts] li:nth-child(2)').getAttribute('role')")
        .await;
    // A colleague's ordinary rejection is information: announced politely,
    // not as an alert (issue 16); errors (e.g. a failed job) still interrupt.
    assert_eq!(role, serde_json::json!("status"), "a colleague's rejection does not interrupt");
    browser.screenshot("toasts").await;

    browser
        .client
        .find(fantoccini::Locator::Css("[data-testid=toasts] li button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_js(TOAST_COUNT, serde_json::json!(1), WAIT, "dismiss did not remove the toast").await;
    // The rejection's toast closes by itself too.
    browser
        .wait_js(
            TOAST_COUNT,
            serde_json::json!(0),
            Duration::from_secs(12),
            "the toast never closed by itself",
        )
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn events_missed_while_disconnected_are_replayed_and_toasted_once() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser.open_as(&server, "approver@greenleaf.test", "/licenses/C11-0000090-LIC/packages").await;
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;

    server.block_events.store(true, std::sync::atomic::Ordering::SeqCst);
    server.state.events.disconnect_all();
    browser.wait_text("[data-testid=connection]", WAIT, |t| t != "Live").await;
    publish(&server, RealtimeEvent::TransferCompleted { transfer_id: 4 }).await;
    server.block_events.store(false, std::sync::atomic::Ordering::SeqCst);

    let toast =
        browser.wait_text("[data-testid=toasts] li", Duration::from_secs(40), |t| !t.is_empty()).await;
    assert!(toast.contains("Transfer completed!"), "{toast}");
    // Only the people on that transfer's page are sent back to the incoming
    // list (tests/transfers); someone on the Packages page stays there.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let path = browser.client.current_url().await.unwrap().path().to_owned();
    assert_eq!(path, "/licenses/C11-0000090-LIC/packages");
    // Another drop and resume replays nothing twice.
    server.state.events.disconnect_all();
    browser.wait_text("[data-testid=connection]", Duration::from_secs(40), |t| t == "Live").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(toast_count(&browser).await, 1);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn inventory_changes_toast_only_for_licenses_the_person_monitors() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    let page = format!("{}/licenses/C11-0000090-LIC/packages", server.url);
    browser.open_as(&server, "approver@greenleaf.test", "/licenses/C11-0000090-LIC/packages").await;
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;
    let first = |license: &'static str| {
        let store = server.state.store.clone();
        async move {
            store
                .call(move |c| {
                    Ok(budtags_server::db::packages::list(c, license, budtags_wire::PackageFilter::Active)?
                        [0]
                    .id)
                })
                .await
                .unwrap()
        }
    };

    // Not monitored: the row changes, no toast.
    server.set_quantity(first("C11-0000090-LIC").await, 9.0).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(toast_count(&browser).await, 0);

    // Monitored (and remembered across a reload): a short-lived toast.
    browser
        .client
        .find(fantoccini::Locator::Css("[data-testid=notify]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.client.goto(&page).await.unwrap();
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;
    let checked = browser.eval("return document.querySelector('[data-testid=notify]').checked").await;
    assert_eq!(checked, serde_json::json!(true), "the setting survived the reload");
    let id = first("C11-0000090-LIC").await;
    server.set_quantity(id, 8.0).await;
    let toast = browser.wait_text("[data-testid=toasts] li", WAIT, |t| !t.is_empty()).await;
    assert!(toast.contains(&format!("Inventory updated for C11-0000090-LIC: package #{id}")), "{toast}");
    // Another license of the organization, not monitored: nothing more.
    server.set_quantity(first("C11-0000091-LIC").await, 8.0).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(toast_count(&browser).await, 1);
    // Inventory toasts close after 3 s.
    browser
        .wait_js(TOAST_COUNT, serde_json::json!(0), Duration::from_secs(6), "the inventory toast stayed")
        .await;
    browser.close().await;
}
