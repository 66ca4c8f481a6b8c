//! Receiving a delivery: an operator scans the packages in, a colleague
//! watching the same transfer sees each scan live, a viewer follows along
//! read-only, and when the last package is in everyone goes back to the
//! incoming list with one toast. Another organization cannot open it.

mod support;

use fantoccini::Locator;
use serde_json::json;
use support::{
    TestServer,
    flows::{
        OTHER_PENDING_TRANSFER, PENDING_TRANSFER, WAIT, fill_login, get_status, open_as,
        operator_on_transfer, path, post_with_csrf, received_count, scan, transfer_packages, wait_row_state,
        wait_toast,
    },
    wait_until,
};

#[tokio::test(flavor = "multi_thread")]
async fn operators_scan_a_delivery_in_and_everyone_watching_follows_it_live() {
    let server = TestServer::start().await;
    let tags: Vec<String> =
        transfer_packages(&server, PENDING_TRANSFER).await.into_iter().map(|p| p.package_label).collect();
    assert_eq!(tags.len(), 4, "demo transfer 3 carries four packages");
    let foreign = transfer_packages(&server, OTHER_PENDING_TRANSFER).await[0].package_label.clone();

    // The incoming list: manifests with their progress; transfer 3 is pending.
    let a = open_as(&server, "operator@greenleaf.test", "/transfers/incoming").await;
    let row = format!("[data-testid=transfer-row][data-id='{PENDING_TRANSFER}'] [data-testid=state]");
    a.wait_text(&row, WAIT, |t| t == "Pending").await;
    a.wait_text("[data-testid=transfer-row][data-id='1'] [data-testid=state]", WAIT, |t| t == "Received")
        .await;
    a.screenshot("transfers").await;

    let detail = format!("/transfers/{PENDING_TRANSFER}");
    a.client.goto(&format!("{}{detail}", server.url)).await.unwrap();
    a.wait_text("[data-testid=checked-count]", WAIT, |t| t == "0 of 4").await;
    let b = open_as(&server, "operator2@greenleaf.test", &detail).await;
    b.wait_text("[data-testid=checked-count]", WAIT, |t| t == "0 of 4").await;
    let viewer = open_as(&server, "viewer@greenleaf.test", &detail).await;
    viewer.wait_text("[data-testid=read-only]", WAIT, |t| t.contains("check-in operator")).await;
    let scan_fields = viewer.eval("return document.querySelectorAll('[data-testid=scan]').length").await;
    assert_eq!(scan_fields, 0, "a viewer has no scan field");
    let forged = serde_json::json!({ "label": tags[0], "idempotencyKey": "viewer-forged" });
    let status =
        post_with_csrf(&viewer, &format!("/api/transfers/{PENDING_TRANSFER}/check-in"), forged).await;
    assert_eq!(status, 403, "the server refuses a viewer's hand-made check-in");

    // The field has the focus from the start: a scanner can fire right away.
    let focused = "return document.activeElement && document.activeElement.dataset.testid";
    a.wait_js(focused, serde_json::json!("scan"), WAIT, "the scan field is not focused").await;

    // A mistyped tag and a tag from another manifest: clear inline errors, nothing checked in.
    scan(&a, "1A40603").await;
    a.wait_text("[data-testid=scan-error]", WAIT, |t| t.contains("24 characters")).await;
    scan(&a, &foreign).await;
    a.wait_text("[data-testid=scan-error]", WAIT, |t| t.contains("not on manifest")).await;
    assert_eq!(received_count(&server, PENDING_TRANSFER).await, 0);

    // A scan (typed in lower case, with stray spaces): confirmed, and the focus stays.
    let scanned_at = std::time::Instant::now();
    scan(&a, &format!("  {}  ", tags[0].to_lowercase())).await;
    a.wait_text("[data-testid=scan-ok]", WAIT, |t| t.contains(&format!("✓ {} checked in — 1 of 4", tags[0])))
        .await;
    let confirmed = scanned_at.elapsed();
    wait_row_state(&a, &tags[0], "Accepted").await;
    a.wait_js(focused, serde_json::json!("scan"), WAIT, "the scan field lost the focus").await;
    assert_eq!(a.eval("return document.querySelector('[data-testid=scan]').value").await, "");

    // The colleague and the viewer see it without doing anything.
    wait_row_state(&b, &tags[0], "Accepted").await;
    eprintln!(
        "check-in: confirmed on the scanner after {confirmed:?}, on a colleague's page after {:?} (upper bounds: WebDriver round trips included)",
        scanned_at.elapsed()
    );
    b.wait_text("[data-testid=checked-count]", WAIT, |t| t == "1 of 4").await;
    wait_row_state(&viewer, &tags[0], "Accepted").await;

    // The same scan again is the same check-in: confirmed as such, counted once.
    scan(&a, &tags[0]).await;
    a.wait_text("[data-testid=scan-ok]", WAIT, |t| t.contains("already checked in")).await;
    assert_eq!(received_count(&server, PENDING_TRANSFER).await, 1);

    // The colleague scans the next one; it shows on the first operator's page.
    scan(&b, &tags[1]).await;
    b.wait_text("[data-testid=scan-ok]", WAIT, |t| t.contains("2 of 4")).await;
    wait_row_state(&a, &tags[1], "Accepted").await;
    a.wait_text("[data-testid=checked-count]", WAIT, |t| t == "2 of 4").await;
    // A counted quantity that is not a number is refused before anything is sent;
    // corrected, it is what the package is received with.
    let quantity = a.client.find(Locator::Css("[data-testid=received-quantity]")).await.unwrap();
    quantity.send_keys("-1").await.unwrap();
    scan(&a, &tags[2]).await;
    a.wait_text("[data-testid=quantity-error]", WAIT, |t| t.contains("not a quantity")).await;
    assert_eq!(received_count(&server, PENDING_TRANSFER).await, 2);
    quantity.clear().await.unwrap();
    quantity.send_keys("5").await.unwrap();
    scan(&a, &tags[2]).await;
    a.wait_text("[data-testid=scan-ok]", WAIT, |t| t.contains("3 of 4")).await;
    let received = transfer_packages(&server, PENDING_TRANSFER).await[2].received_quantity;
    assert_eq!(received, Some(5.0), "received with the counted quantity");
    let cell = format!("[data-testid=package-row][data-tag='{}'] td:nth-child(4)", tags[2]);
    a.wait_text(&cell, WAIT, |t| t.starts_with("5 ")).await;
    a.screenshot("transfer-checkin").await;

    // The last package: the transfer completes; everyone watching sees so on
    // the transfer (the scanner long enough to read it), one success toast,
    // and then the incoming list, at once with the button or by itself.
    scan(&a, &tags[3]).await;
    for browser in [&a, &b, &viewer] {
        browser
            .wait_text("[data-testid=transfer-complete]", WAIT, |t| {
                t.contains("Transfer complete — 4 of 4 checked in")
            })
            .await;
        wait_toast(browser, "Transfer completed").await;
        let completed = browser
            .eval("return [...document.querySelectorAll('[data-testid=toasts] li')].filter(t => t.textContent.includes('Transfer completed')).length")
            .await;
        assert_eq!(completed, 1, "one completion toast, however it was noticed");
    }
    assert_eq!(path(&a).await, format!("/transfers/{PENDING_TRANSFER}"), "the scanner still sees it");
    b.client.find(Locator::Css("[data-testid=back-to-transfers]")).await.unwrap().click().await.unwrap();
    for browser in [&a, &b, &viewer] {
        browser
            .wait_js(
                "return location.pathname",
                serde_json::json!("/transfers/incoming"),
                WAIT,
                "not sent back",
            )
            .await;
        browser.wait_text(&row, WAIT, |t| t == "Received").await;
    }
    assert_eq!(received_count(&server, PENDING_TRANSFER).await, 4);
    assert_eq!(path(&a).await, "/transfers/incoming");
    for browser in [a, b, viewer] {
        browser.close().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn another_organization_cannot_open_a_transfer_by_its_address() {
    let server = TestServer::start().await;
    let path = format!("/transfers/{PENDING_TRANSFER}");
    let sierra = open_as(&server, "operator@sierra.test", &path).await;
    let panel = sierra.wait_text("[data-testid=error]", WAIT, |t| !t.is_empty()).await;
    assert!(panel.contains("Not found"), "{panel}");
    assert!(!panel.contains("Manifest"), "nothing about the transfer shows: {panel}");
    assert_eq!(get_status(&sierra, &format!("/api/transfers/{PENDING_TRANSFER}")).await, 404);
    let check_in = serde_json::json!({
        "label": transfer_packages(&server, PENDING_TRANSFER).await[0].package_label,
        "idempotencyKey": "forged-1",
    });
    let status =
        post_with_csrf(&sierra, &format!("/api/transfers/{PENDING_TRANSFER}/check-in"), check_in).await;
    assert_eq!(status, 404, "a foreign transfer does not exist for them");
    assert_eq!(received_count(&server, PENDING_TRANSFER).await, 0);
    sierra.close().await;
}

/// Whether the row tagged `tag` is marked as queued on this device.
fn queued_script(tag: &str) -> String {
    format!(
        "const r = document.querySelector('[data-testid=package-row][data-tag=\"{tag}\"]');
         return r ? r.dataset.queued : null"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn scans_the_server_cannot_take_wait_on_the_device_survive_a_reload_and_count_once() {
    let server = TestServer::start().await;
    let (a, tags) = operator_on_transfer(&server, OTHER_PENDING_TRANSFER, 10).await;
    let detail = format!("/transfers/{OTHER_PENDING_TRANSFER}");

    // Offline: each scan is kept, named, and marked; a second scan of the same tag waits once.
    a.set_offline(true).await;
    scan(&a, &tags[0]).await;
    let said = a.wait_text("[data-testid=scan-ok]", WAIT, |t| t.contains("saved on this device")).await;
    assert!(said.contains(&tags[0]), "the message names the tag: {said}");
    a.wait_js(&queued_script(&tags[0]), json!("true"), WAIT, "the row is marked as queued").await;
    scan(&a, &tags[0]).await;
    scan(&a, &tags[1]).await;
    a.wait_text("[data-testid=outbox]", WAIT, |t| t == "2 scans waiting to send").await;
    a.wait_text("[data-testid=checked-count]", WAIT, |t| t == "0 of 10").await;
    assert_eq!(received_count(&server, OTHER_PENDING_TRANSFER).await, 0);

    // Back online, they are sent in order by themselves, once each.
    a.set_offline(false).await;
    let back = std::time::Instant::now();
    wait_until("both queued scans reach the server", WAIT, || {
        server.seen(&format!("/api/transfers/{OTHER_PENDING_TRANSFER}/check-in")).len() >= 2
    })
    .await;
    wait_toast(&a, "Sent 2 queued changes.").await;
    println!("2 queued scans sent {:?} after the network came back", back.elapsed());
    a.wait_text("[data-testid=checked-count]", WAIT, |t| t == "2 of 10").await;
    wait_row_state(&a, &tags[0], "Accepted").await;
    assert_eq!(a.text("[data-testid=outbox]").await, None, "nothing waits any more");
    assert_eq!(received_count(&server, OTHER_PENDING_TRANSFER).await, 2);

    // The server fails check-ins (a 503): the scan waits durably, through a reload.
    server.fail(&format!("/api/transfers/{OTHER_PENDING_TRANSFER}/check-in"));
    scan(&a, &tags[2]).await;
    a.wait_text("[data-testid=outbox]", WAIT, |t| t == "1 scan waiting to send").await;
    a.client.goto(&format!("{}{detail}", server.url)).await.unwrap();
    a.wait_text("[data-testid=checked-count]", WAIT, |t| t == "2 of 10").await;
    a.wait_text("[data-testid=outbox]", WAIT, |t| t == "1 scan waiting to send").await;
    a.wait_js(&queued_script(&tags[2]), json!("true"), WAIT, "still marked after the reload").await;
    server.heal();
    a.wait_text("[data-testid=checked-count]", WAIT, |t| t == "3 of 10").await;
    assert_eq!(received_count(&server, OTHER_PENDING_TRANSFER).await, 3);
    assert_eq!(a.text("[data-testid=outbox]").await, None);
    a.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_live_updates_a_transfer_catches_up_by_polling() {
    let server = TestServer::start().await;
    server.block_events.store(true, std::sync::atomic::Ordering::SeqCst);
    let tag = transfer_packages(&server, OTHER_PENDING_TRANSFER).await[1].package_label.clone();
    let detail = format!("/transfers/{OTHER_PENDING_TRANSFER}");
    let a = open_as(&server, "operator@greenleaf.test", &detail).await;
    // Every poll interval × 0.05: the 30 s fallback runs every 1.5 s.
    a.eval("localStorage.setItem('budtags.pollScale', '0.05'); return null").await;
    a.client.goto(&format!("{}{detail}", server.url)).await.unwrap();
    a.wait_text("[data-testid=checked-count]", WAIT, |t| t == "0 of 10").await;
    a.wait_text("[data-testid=connection]", WAIT, |t| t != "Live").await;

    // Another operator checks a package in; no event can reach this page.
    let b = open_as(&server, "approver@greenleaf.test", "/login").await;
    let body = serde_json::json!({ "label": tag, "idempotencyKey": format!("transfer-{OTHER_PENDING_TRANSFER}-{tag}") });
    let status = post_with_csrf(&b, &format!("/api/transfers/{OTHER_PENDING_TRANSFER}/check-in"), body).await;
    assert_eq!(status, 200);
    wait_row_state(&a, &tag, "Accepted").await;
    a.wait_text("[data-testid=checked-count]", WAIT, |t| t == "1 of 10").await;
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scan_made_as_the_session_ends_counts_after_signing_in_again_and_a_replay_someone_beat_says_so() {
    let server = TestServer::start().await;
    let (a, tags) = operator_on_transfer(&server, OTHER_PENDING_TRANSFER, 10).await;
    let detail = format!("/transfers/{OTHER_PENDING_TRANSFER}");

    // The session ends under the operator; their next scan gets a 401.
    server.end_all_sessions().await;
    scan(&a, &tags[0]).await;
    fill_login(&a, "operator@greenleaf.test", "budtags").await;
    // Back on the manifest, the scan counted: sent after signing in, once.
    a.wait_text("[data-testid=checked-count]", WAIT, |t| t == "1 of 10").await;
    wait_row_state(&a, &tags[0], "Accepted").await;
    assert_eq!(received_count(&server, OTHER_PENDING_TRANSFER).await, 1);
    assert_eq!(a.text("[data-testid=outbox]").await, None);

    // Offline, the operator scans a package a colleague then checks in first.
    a.set_offline(true).await;
    scan(&a, &tags[1]).await;
    a.wait_text("[data-testid=outbox]", WAIT, |t| t == "1 scan waiting to send").await;
    let b = open_as(&server, "operator2@greenleaf.test", &detail).await;
    let body = json!({ "label": tags[1], "idempotencyKey": "colleague-scan" });
    assert_eq!(
        post_with_csrf(&b, &format!("/api/transfers/{OTHER_PENDING_TRANSFER}/check-in"), body).await,
        200
    );
    a.set_offline(false).await;
    wait_toast(&a, &format!("The queued scan of {} did not go through", tags[1])).await;
    wait_row_state(&a, &tags[1], "Accepted").await;
    a.wait_text("[data-testid=checked-count]", WAIT, |t| t == "2 of 10").await;
    assert_eq!(received_count(&server, OTHER_PENDING_TRANSFER).await, 2, "checked in once, by the colleague");
    b.close().await;
    a.close().await;
}
