//! Helpers for the workspace flows' browser tests: a browser signed in as a
//! demo user on a given page, typing into the scan field, and reading or
//! changing server state the way another person (or the back office) would.

use std::time::Duration;

use budtags_server::db;
use budtags_wire::{Label, LabelStatus, TransferPackage};
use fantoccini::Locator;
use serde_json::json;

use super::{Browser, TestServer};

pub const WAIT: Duration = Duration::from_secs(20);

/// Demo transfers to Green Leaf Oakland (`C11-0000090-LIC`): 1 is received,
/// 2 (10 packages) and 3 (4 packages) wait for check-in.
pub const PENDING_TRANSFER: i64 = 3;
pub const OTHER_PENDING_TRANSFER: i64 = 2;
pub const GREENLEAF: i64 = 1;

/// A new headless browser, signed in as `email`, showing `path`.
pub async fn open_as(server: &TestServer, email: &str, path: &str) -> Browser {
    let browser = Browser::start().await;
    browser.open_as(server, email, path).await;
    browser
}

/// The packages on a transfer, as the server holds them.
pub async fn transfer_packages(server: &TestServer, id: i64) -> Vec<TransferPackage> {
    server.state.store.call(move |c| Ok(db::transfers::packages(c, id)?)).await.unwrap()
}

/// How many packages of the transfer the server counts as received.
pub async fn received_count(server: &TestServer, id: i64) -> u32 {
    let transfer = server.state.store.call(move |c| Ok(db::transfers::find(c, id)?)).await.unwrap();
    transfer.expect("the transfer exists").received_package_count
}

/// An organization's labels in one status, oldest first.
pub async fn labels(server: &TestServer, organization_id: i64, status: LabelStatus) -> Vec<Label> {
    let list = server.state.store.call(move |c| Ok(db::labels::list(c, organization_id, status)?));
    list.await.unwrap()
}

/// Approves a label behind everyone's back: no event goes out, so open
/// pages still show it as pending (what a lost event or a race looks like).
pub async fn approve_quietly(server: &TestServer, id: i64, by: &'static str) {
    let decided = server
        .state
        .events
        .change(move |tx, now| {
            let decision = db::labels::Decision { status: LabelStatus::Approved, by, reason: None };
            Ok((db::labels::decide(tx, id, &decision, now)?, vec![]))
        })
        .await
        .unwrap();
    assert!(decided.is_some(), "label {id} was pending");
}

/// Fills the app's login form and presses "Sign in".
pub async fn fill_login(browser: &Browser, email: &str, password: &str) {
    browser.wait_text("[data-testid=sign-in]", WAIT, |t| t == "Sign in").await;
    for (field, value) in [("email", email), ("password", password)] {
        let input = browser.client.find(Locator::Css(&format!("[data-testid={field}]"))).await.unwrap();
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }
    browser.client.find(Locator::Css("[data-testid=sign-in]")).await.unwrap().click().await.unwrap();
}

/// An operator on transfer `id` (nothing checked in yet), and its packages' tags.
pub async fn operator_on_transfer(server: &TestServer, id: i64, packages: usize) -> (Browser, Vec<String>) {
    let tags = transfer_packages(server, id).await.into_iter().map(|p| p.package_label).collect();
    let browser = open_as(server, "operator@greenleaf.test", &format!("/transfers/{id}")).await;
    let empty = format!("0 of {packages}");
    browser.wait_text("[data-testid=checked-count]", WAIT, |t| t == empty).await;
    (browser, tags)
}

/// Types `text` into the scan field and presses Enter, as a scanner does.
pub async fn scan(browser: &Browser, text: &str) {
    let field = browser.client.find(Locator::Css("[data-testid=scan]")).await.unwrap();
    field.send_keys(&format!("{text}\u{E007}")).await.unwrap();
}

/// The `data-state` of the row tagged `tag` on a transfer page.
pub fn row_state_script(tag: &str) -> String {
    format!(
        "const r = document.querySelector('[data-testid=package-row][data-tag=\"{tag}\"]');
         return r ? r.dataset.state : null"
    )
}

/// Waits until the row tagged `tag` shows `state` (`Accepted`, `Shipped`).
pub async fn wait_row_state(browser: &Browser, tag: &str, state: &str) {
    browser
        .wait_js(&row_state_script(tag), json!(state), WAIT, &format!("row {tag} never showed {state}"))
        .await;
}

/// `fetch` from the open page with the session's CSRF token (read from
/// `/api/me`), as a forged or hand-made request would; returns the status.
pub async fn post_with_csrf(browser: &Browser, path: &str, body: serde_json::Value) -> u16 {
    let script = format!(
        "const done = arguments[0];
         fetch('/api/me').then(r => r.json()).then(me => fetch('{path}', {{
             method: 'POST',
             headers: {{ 'Content-Type': 'application/json', 'X-CSRF-TOKEN': me.csrfToken }},
             body: JSON.stringify({body}) }})).then(r => done(r.status), e => done(String(e)));"
    );
    let status = browser.client.execute_async(&script, vec![]).await.unwrap();
    status.as_u64().unwrap_or_else(|| panic!("POST {path} did not answer: {status}")) as u16
}

/// `GET path` from the open page; returns the status.
pub async fn get_status(browser: &Browser, path: &str) -> u16 {
    let script = format!("const done = arguments[0]; fetch('{path}').then(r => done(r.status));");
    browser.client.execute_async(&script, vec![]).await.unwrap().as_u64().unwrap() as u16
}

/// The page's path, e.g. `/transfers/incoming`.
pub async fn path(browser: &Browser) -> String {
    browser.eval("return location.pathname").await.as_str().unwrap_or_default().to_owned()
}

/// Every toast's text, joined.
pub async fn toasts(browser: &Browser) -> String {
    let texts = browser
        .eval("return [...document.querySelectorAll('[data-testid=toasts] li')].map(t => t.textContent).join(' | ')")
        .await;
    texts.as_str().unwrap_or_default().to_owned()
}

/// Waits until some toast contains `needle`.
pub async fn wait_toast(browser: &Browser, needle: &str) {
    let script = format!(
        "return [...document.querySelectorAll('[data-testid=toasts] li')].some(t => t.textContent.includes({}))",
        json!(needle)
    );
    browser.wait_js(&script, json!(true), WAIT, &format!("no toast saying {needle:?}")).await;
}
