//! Signing in and out in a real (headless) Chromium: the login form (wrong
//! password, field errors), landing on the license the person last worked
//! in, the user menu, a session that ends under the person (back to where
//! they were after signing in again), a signed-out visit, and another
//! organization's license asked for by address.

mod support;

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;
use support::{Browser, TestServer, flows::fill_login};

const WAIT: Duration = Duration::from_secs(20);
const FIRST: &str = "C11-0000090-LIC";
const SECOND: &str = "C11-0000091-LIC";

async fn wait_for_path(browser: &Browser, expected: &str) {
    let script = "return location.pathname + location.search";
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let at = browser.eval(script).await;
        if at == json!(expected) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the page is at {at}, not at {expected}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_through_the_form_lands_on_the_license_last_worked_in() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser.client.goto(&server.url).await.unwrap();
    wait_for_path(&browser, "/login").await;
    browser.screenshot("login").await;

    // Empty fields and a wrong password are explained on the form.
    fill_login(&browser, "", "").await;
    let error = browser.wait_text("[data-testid=login-error]", WAIT, |t| !t.is_empty()).await;
    assert!(!error.is_empty());
    let email_error = browser.text("[data-testid=email-error]").await.unwrap_or_default();
    let password_error = browser.text("[data-testid=password-error]").await.unwrap_or_default();
    assert!(!email_error.is_empty() || !password_error.is_empty(), "a field error is shown: {error}");
    fill_login(&browser, "operator@greenleaf.test", "not the password").await;
    browser
        .wait_text("[data-testid=login-error]", WAIT, |t| t.contains("Wrong e-mail address or password"))
        .await;
    wait_for_path(&browser, "/login").await;

    // The right password: the organization's first license.
    fill_login(&browser, "operator@greenleaf.test", "budtags").await;
    wait_for_path(&browser, &format!("/licenses/{FIRST}/packages")).await;
    browser.wait_text("[data-testid=count]", WAIT, |t| t.ends_with("packages")).await;
    let role = browser.eval("return document.querySelector('[data-testid=user-role]').textContent").await;
    assert_eq!(role, json!("Check-in operator"));
    let options = browser
        .eval("return [...document.querySelectorAll('[data-testid=license] option')].map(o => o.value)")
        .await;
    assert_eq!(options, json!([FIRST, SECOND]), "only the organization's licenses");

    // Switch license, sign out, sign in again: back on the second license.
    browser
        .client
        .find(Locator::Css("[data-testid=license]"))
        .await
        .unwrap()
        .select_by_value(SECOND)
        .await
        .unwrap();
    wait_for_path(&browser, &format!("/licenses/{SECOND}/packages")).await;
    browser.wait_text("[data-testid=count]", WAIT, |t| t.ends_with("packages")).await;
    sign_out(&browser).await;
    let me = browser
        .client
        .execute_async("const done = arguments[0]; fetch('/api/me').then(r => done(r.status))", vec![])
        .await
        .unwrap();
    assert_eq!(me, json!(401), "the server ended the session");
    fill_login(&browser, "operator@greenleaf.test", "budtags").await;
    wait_for_path(&browser, &format!("/licenses/{SECOND}/packages")).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ended_session_sends_the_person_to_sign_in_and_back_to_where_they_were() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser
        .open_as(&server, "approver@greenleaf.test", &format!("/licenses/{FIRST}/packages?q=flower"))
        .await;
    browser.wait_text("[data-testid=count]", WAIT, |t| t.contains(" of ")).await;

    server.end_all_sessions().await;
    // The next request the page makes (here: the Inactive tab) finds the session gone.
    browser.client.find(Locator::LinkText("Inactive")).await.unwrap().click().await.unwrap();
    let next = format!("/licenses/{FIRST}/packages?filter=inactive&q=flower");
    let login = format!("/login?next={}", url_encode(&next));
    wait_for_path(&browser, &login).await;
    browser.wait_text("[data-testid=expired]", WAIT, |t| t.contains("Your session ended")).await;

    fill_login(&browser, "approver@greenleaf.test", "budtags").await;
    wait_for_path(&browser, &next).await;
    browser.wait_text("[data-testid=count]", WAIT, |t| t.contains(" of ")).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_out_visit_goes_to_sign_in_and_never_to_another_site() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/labels", server.url)).await.unwrap();
    wait_for_path(&browser, "/login?next=%2Flabels").await;
    fill_login(&browser, "viewer@greenleaf.test", "budtags").await;
    wait_for_path(&browser, "/labels").await;
    let role = "return document.querySelector('[data-testid=user-role]').textContent";
    browser.wait_js(role, json!("Viewer"), WAIT, "the user menu names the role").await;

    // A crafted `next` cannot send the person off the site.
    sign_out(&browser).await;
    browser.client.goto(&format!("{}/login?next=%2F%2Fevil.test%2Fx", server.url)).await.unwrap();
    fill_login(&browser, "viewer@greenleaf.test", "budtags").await;
    wait_for_path(&browser, &format!("/licenses/{FIRST}/packages")).await;
    let host = browser.eval("return location.host").await;
    assert_eq!(host, json!(server.url.trim_start_matches("http://")));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_out_visit_to_a_packages_page_shows_its_packages_after_signing_in() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    // Opened cold, index.html asks for the list before the app knows nobody
    // is signed in: those early answers (401s) must not be used afterwards.
    let page = format!("/licenses/{FIRST}/packages");
    browser.client.goto(&format!("{}{page}", server.url)).await.unwrap();
    wait_for_path(&browser, &format!("/login?next={}", url_encode(&page))).await;
    fill_login(&browser, "viewer@greenleaf.test", "budtags").await;
    wait_for_path(&browser, &page).await;
    browser.wait_text("[data-testid=count]", WAIT, |t| t.ends_with(" packages")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    wait_for_path(&browser, &page).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_live_connection_ends_with_the_session_and_a_new_one_follows_the_next_person() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    // Count the page's EventSources as they open and close.
    let track = "window.__es = { open: 0, closed: 0 };
        const Native = window.EventSource;
        window.EventSource = class extends Native {
            constructor(...args) { super(...args); window.__es.open++; }
            close() { window.__es.closed++; super.close(); }
        };";
    browser.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": track })).await;
    browser.open_as(&server, "operator@greenleaf.test", &format!("/licenses/{FIRST}/packages")).await;
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;
    assert_eq!(browser.eval("return window.__es").await, json!({ "open": 1, "closed": 0 }));

    sign_out(&browser).await;
    let closed = "return window.__es.closed";
    browser.wait_js(closed, json!(1), WAIT, "signing out closes the live connection").await;

    // Someone of the other organization signs in on the same tab.
    fill_login(&browser, "approver@sierra.test", "budtags").await;
    wait_for_path(&browser, "/licenses/CML17-0000001/packages").await;
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;
    assert_eq!(browser.eval("return window.__es").await, json!({ "open": 2, "closed": 1 }));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn another_organizations_license_is_not_found_by_guessing_its_address() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser.open_as(&server, "approver@sierra.test", &format!("/licenses/{FIRST}/packages")).await;
    let error = browser.wait_text("[data-testid=error]", WAIT, |t| !t.is_empty()).await;
    assert!(error.contains("Not found") && error.contains(&format!("No license {FIRST}.")), "{error}");
    let rows = browser.eval("return document.querySelectorAll('tbody tr[data-id]').length").await;
    assert_eq!(rows, json!(0), "no other organization's packages");
    let options = browser
        .eval("return [...document.querySelectorAll('[data-testid=license] option')].map(o => o.value)")
        .await;
    assert_eq!(options, json!(["CML17-0000001"]));
    let role = browser.eval("return document.querySelector('[data-testid=user-org]').textContent").await;
    assert!(role.as_str().is_some_and(|o| o.contains("Sierra")), "{role}");
    browser.close().await;
}

/// Opens the user menu and signs out; waits for the login page.
async fn sign_out(browser: &Browser) {
    let menu = browser.client.find(Locator::Css("[data-testid=user-menu] summary")).await.unwrap();
    menu.click().await.unwrap();
    browser.client.find(Locator::Css("[data-testid=sign-out]")).await.unwrap().click().await.unwrap();
    wait_for_path(browser, "/login").await;
}

/// A query-string value, percent-encoded as the app's `encodeURIComponent` does.
fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
