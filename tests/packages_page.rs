//! A person opens the Packages page in a real (headless) Chromium: it shows
//! the server's packages, follows changes made on the server without a
//! reload, and explains bad addresses instead of showing a blank table.
//! (Each test signs in first: every page but the login page needs a session.)

mod support;

use std::time::Duration;

use budtags_server::db;
use budtags_wire::{Package, PackageFilter};
use support::{Browser, TestServer};

const LICENSE: &str = "C11-0000090-LIC";
const WAIT: Duration = Duration::from_secs(20);
const OPERATOR: &str = "operator@greenleaf.test";

async fn server_list(server: &TestServer, filter: PackageFilter) -> Vec<Package> {
    server.state.store.call(move |conn| Ok(db::packages::list(conn, LICENSE, filter)?)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn opening_the_app_shows_the_first_licenses_active_packages() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser.open_as(&server, OPERATOR, "/").await;

    let active = server_list(&server, PackageFilter::Active).await;
    let count = browser.wait_text("[data-testid=count]", WAIT, |t| !t.is_empty()).await;
    assert_eq!(count, format!("{} packages", active.len()));
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.path(), format!("/licenses/{LICENSE}/packages"));

    let first = browser.text("[data-testid=packages] tbody tr[data-id] td").await.unwrap();
    assert_eq!(first, active[0].label, "rows come in the server's order");
    // Only the rows in view (and a few more) are in the page, in the server's order.
    let labels: Vec<String> = serde_json::from_value(
        browser
            .eval("return [...document.querySelectorAll('tbody tr[data-id]')].map(r => r.dataset.label)")
            .await,
    )
    .unwrap();
    assert!(labels.len() >= 15 && labels.len() < active.len(), "{} rows rendered", labels.len());
    let expected: Vec<&str> = active.iter().take(labels.len()).map(|p| p.label.as_str()).collect();
    assert_eq!(labels, expected);
    browser.wait_text("[data-testid=updated-at]", WAIT, |t| t.starts_with("Updated ")).await;
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;
    browser.screenshot("packages").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_on_the_server_appears_without_a_reload() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser.open_as(&server, OPERATOR, &format!("/licenses/{LICENSE}/packages")).await;
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;
    let target = server_list(&server, PackageFilter::Active).await[5].clone();
    let cell = format!("tr[data-id='{}'] [data-testid=quantity]", target.id);
    browser.wait_text(&cell, WAIT, |t| !t.is_empty()).await;
    browser.eval("window.__same_page = true; return null").await;

    server.set_quantity(target.id, 123.45).await;
    let shown = browser.wait_text(&cell, Duration::from_secs(5), |t| t.starts_with("123.45")).await;
    assert_eq!(shown, format!("123.45 {}", target.unit_of_measure_abbreviation));
    let flashed = format!(
        "return document.querySelector(\"tr[data-id='{}']\").classList.contains('row--flash')",
        target.id
    );
    assert_eq!(browser.eval(&flashed).await, serde_json::json!(true), "the changed row flashes");
    let others = "return document.querySelectorAll('tr.row--flash').length";
    assert_eq!(browser.eval(others).await, serde_json::json!(1), "only the changed row flashes");

    // Quantity zero finishes the package: it leaves the active list...
    server.set_quantity(target.id, 0.0).await;
    let gone = format!("return document.querySelector(\"tr[data-id='{}']\") === null", target.id);
    let what = "finished package still listed as active";
    browser.wait_js(&gone, serde_json::json!(true), Duration::from_secs(5), what).await;
    let active = server_list(&server, PackageFilter::Active).await.len();
    browser.wait_text("[data-testid=count]", WAIT, |t| t == format!("{active} packages")).await;
    assert_eq!(
        browser.eval("return window.__same_page === true").await,
        serde_json::json!(true),
        "no reload"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_inactive_tab_lists_finished_packages() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser.open_as(&server, OPERATOR, &format!("/licenses/{LICENSE}/packages")).await;
    browser.wait_text("[data-testid=count]", WAIT, |t| !t.is_empty()).await;
    browser.client.find(fantoccini::Locator::LinkText("Inactive")).await.unwrap().click().await.unwrap();
    let inactive = server_list(&server, PackageFilter::Inactive).await;
    browser.wait_text("[data-testid=count]", WAIT, |t| t == format!("{} packages", inactive.len())).await;
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.query(), Some("filter=inactive"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_license_or_filter_explains_itself_and_offers_a_retry() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser.open_as(&server, OPERATOR, "/licenses/NOPE-1/packages").await;
    let error = browser.wait_text("[data-testid=error]", WAIT, |t| !t.is_empty()).await;
    assert!(error.contains("No license NOPE-1."), "{error}");
    assert!(error.contains("Try again"), "{error}");
    browser.screenshot("packages-unknown-license").await;

    browser
        .client
        .goto(&format!("{}/licenses/{LICENSE}/packages?filter=archived", server.url))
        .await
        .unwrap();
    let error = browser.wait_text("[data-testid=error]", WAIT, |t| t.contains("archived")).await;
    assert!(error.contains("use `active` or `inactive`"), "{error}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_big_list_opened_cold_asks_for_its_first_rows_and_the_whole_list_once_each() {
    let server = TestServer::start_with_packages(1_500).await;
    let browser = Browser::start().await;
    let page = format!("/licenses/{LICENSE}/packages");
    browser.open_as(&server, OPERATOR, &page).await;

    let active = server_list(&server, PackageFilter::Active).await;
    assert!(active.len() > 100, "more rows than the first screenful");
    browser.wait_text("[data-testid=count]", WAIT, |t| t == format!("{} packages", active.len())).await;
    let first = browser.text("[data-testid=packages] tbody tr[data-id] td").await.unwrap();
    assert_eq!(first, active[0].label);

    // index.html started both requests before the module loaded; the app
    // adopted them instead of asking again.
    let list = format!("/api/licenses/{LICENSE}/packages?filter=active");
    let mut paths: Vec<String> = server.seen(&list).into_iter().map(|s| s.path).collect();
    paths.sort();
    assert_eq!(paths, [list.clone(), format!("{list}&limit=100")]);

    // Scrolling to the end shows the last of the whole list.
    browser.eval("document.querySelector('[data-testid=scroller]').scrollTop = 1e9; return null").await;
    let last = active.last().unwrap().label.clone();
    browser
        .wait_js(
            &format!("return !!document.querySelector('tr[data-label=\"{last}\"]')"),
            serde_json::json!(true),
            WAIT,
            "the last package after scrolling to the end",
        )
        .await;
}
