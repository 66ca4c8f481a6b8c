//! The Packages workspace as an operator uses it: search and sort that
//! survive a reload, 10,000 rows that stay smooth (few rows in the page,
//! scrolling shows later ones, a live change far down is there when scrolled
//! to), and a package's detail page with its history, following live changes.

mod support;

use std::time::{Duration, Instant};

use budtags_server::db;
use budtags_wire::{Package, PackageFilter};
use fantoccini::Locator;
use serde_json::json;
use support::{Browser, TestServer};

const LICENSE: &str = "C11-0000090-LIC";
const WAIT: Duration = Duration::from_secs(30);
const OPERATOR: &str = "operator@greenleaf.test";
const ROWS: &str =
    "return [...document.querySelectorAll('tbody tr[data-id]')].map(r => Number(r.dataset.id))";

async fn active(server: &TestServer) -> Vec<Package> {
    let filter = PackageFilter::Active;
    server.state.store.call(move |c| Ok(db::packages::list(c, LICENSE, filter)?)).await.unwrap()
}

async fn rendered_ids(browser: &Browser) -> Vec<i64> {
    serde_json::from_value(browser.eval(ROWS).await).unwrap()
}

async fn click(browser: &Browser, css: &str) {
    browser.client.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn search_and_sort_by_any_column_survive_a_reload() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser.open_as(&server, OPERATOR, &format!("/licenses/{LICENSE}/packages")).await;
    let all = active(&server).await;
    browser.wait_text("[data-testid=count]", WAIT, |t| t == format!("{} packages", all.len())).await;

    // Search by item name, any case.
    let search = browser.client.find(Locator::Css("[data-testid=search]")).await.unwrap();
    search.send_keys("BLUE dream").await.unwrap();
    let matching: Vec<&Package> =
        all.iter().filter(|p| p.item.name.to_lowercase().contains("blue dream")).collect();
    assert!(!matching.is_empty() && matching.len() < all.len());
    let expected_count = format!("{} of {} packages", matching.len(), all.len());
    browser.wait_text("[data-testid=count]", WAIT, |t| t == expected_count).await;
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.query(), Some("q=BLUE%20dream"));

    // Sort by quantity: ascending, then descending, marked for screen readers.
    click(&browser, "th[data-column=quantity] button").await;
    let aria = "return document.querySelector('th[data-column=quantity]').getAttribute('aria-sort')";
    browser.wait_js(aria, json!("ascending"), WAIT, "quantity sorted ascending").await;
    let mut ascending = matching.clone();
    ascending.sort_by(|a, b| a.quantity.total_cmp(&b.quantity));
    let shown = rendered_ids(&browser).await;
    let expected: Vec<i64> = ascending.iter().take(shown.len()).map(|p| p.id).collect();
    assert_eq!(shown, expected);
    click(&browser, "th[data-column=quantity] button").await;
    browser.wait_js(aria, json!("descending"), WAIT, "quantity sorted descending").await;
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.query(), Some("q=BLUE%20dream&sort=quantity&dir=desc"));

    // A reload keeps the search, the sort and the rows' order.
    browser.client.refresh().await.unwrap();
    browser.wait_text("[data-testid=count]", WAIT, |t| t == expected_count).await;
    let value = browser.eval("return document.querySelector('[data-testid=search]').value").await;
    assert_eq!(value, json!("BLUE dream"));
    let shown = rendered_ids(&browser).await;
    let quantities: Vec<f64> =
        shown.iter().map(|id| matching.iter().find(|p| p.id == *id).unwrap().quantity).collect();
    assert!(quantities.windows(2).all(|w| w[0] >= w[1]), "descending: {quantities:?}");

    // Sort by tag (text) and search by category.
    click(&browser, "th[data-column=tag] button").await;
    let search = browser.client.find(Locator::Css("[data-testid=search]")).await.unwrap();
    search.clear().await.unwrap();
    search.send_keys("vape").await.unwrap();
    let vapes: Vec<&Package> =
        all.iter().filter(|p| p.item.product_category_name.to_lowercase().contains("vape")).collect();
    let want = format!("{} of {} packages", vapes.len(), all.len());
    browser.wait_text("[data-testid=count]", WAIT, |t| t == want).await;
    let mut by_tag: Vec<i64> = vapes.iter().map(|p| p.id).collect();
    by_tag.sort_by_key(|id| all.iter().find(|p| p.id == *id).unwrap().label.clone());
    let shown = rendered_ids(&browser).await;
    assert_eq!(shown, by_tag[..shown.len()].to_vec());

    // On a warehouse tablet (portrait) the same page fits the screen.
    browser.client.set_window_size(820, 1180).await.unwrap();
    let fits = "return document.documentElement.scrollWidth <= window.innerWidth + 1";
    browser.wait_js(fits, json!(true), WAIT, "no sideways scrolling of the page on a tablet").await;
    browser.screenshot("packages-tablet").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_thousand_rows_stay_virtualized_and_live() {
    let started = Instant::now();
    let server = TestServer::start_with_packages(12_600).await;
    let seeded = started.elapsed();
    let browser = Browser::start().await;
    let all = active(&server).await;
    assert!(all.len() >= 10_000, "{} active packages", all.len());
    browser.client.goto(&format!("{}/api/realtime/config", server.url)).await.unwrap();
    browser.sign_in(OPERATOR).await;

    // Navigation to rows in the DOM, timed by the page's own clock
    // (`performance.now()` counts from the navigation's start).
    browser.client.goto(&format!("{}/licenses/{LICENSE}/packages", server.url)).await.unwrap();
    let probe = "return document.querySelector('tbody tr[data-id]') ? performance.now() : null";
    let deadline = Instant::now() + WAIT;
    let rows_at = loop {
        if let Some(ms) = browser.eval(probe).await.as_f64() {
            break ms;
        }
        assert!(Instant::now() < deadline, "no rows after {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // The first rows come first, saying the rest is on its way; then all.
    let whole = format!("{} packages", all.len());
    let count = browser.wait_text("[data-testid=count]", WAIT, |t| !t.is_empty()).await;
    let partial = format!("First 100 of {} packages, loading the rest…", all.len());
    assert!(count == partial || count == whole, "{count}");
    browser.wait_text("[data-testid=count]", WAIT, |t| t == whole).await;
    let in_dom = rendered_ids(&browser).await.len();
    let timing = browser
        .eval(
            "const r = performance.getEntriesByType('resource').find(e => e.name.includes('/packages?filter='));
             return r ? [Math.round(r.startTime), Math.round(r.responseEnd)] : null",
        )
        .await;
    println!("10,000 rows: the list's request [sent, answered] at {timing} ms after navigation start");
    let list_bytes = server.response_bytes(&format!("/api/licenses/{LICENSE}/packages")).body;
    println!("10,000 rows: the list's response body: {list_bytes} bytes (compressed as sent)");
    println!(
        "10,000 rows: seeded in {seeded:?}; navigation → first rows in the DOM: {rows_at:.0} ms; \
         {in_dom} rows in the DOM of {}",
        all.len()
    );
    assert!(in_dom < 80, "only the window is rendered: {in_dom} rows");

    // Sorting all of them by quantity, timed in the page.
    let t0 = "window.__t0 = performance.now(); return null";
    browser.eval(t0).await;
    click(&browser, "th[data-column=quantity] button").await;
    let mut ascending = all.clone();
    ascending.sort_by(|a, b| a.quantity.total_cmp(&b.quantity));
    let first = format!(
        "return document.querySelector('tbody tr[data-id]').dataset.id === '{}' ? performance.now() - window.__t0 : null",
        ascending[0].id
    );
    let deadline = Instant::now() + WAIT;
    let sorted_in = loop {
        if let Some(ms) = browser.eval(&first).await.as_f64() {
            break ms;
        }
        assert!(Instant::now() < deadline, "the sort never showed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    println!("10,000 rows: click on Quantity → sorted rows shown: {sorted_in:.0} ms");
    // Sorted by tag (unique, so a quantity change does not move the row).
    click(&browser, "th[data-column=tag] button").await;
    let mut by_tag = all.clone();
    by_tag.sort_by(|a, b| a.label.cmp(&b.label));
    let top = format!("return document.querySelector('tbody tr[data-id]').dataset.id === '{}'", by_tag[0].id);
    browser.wait_js(&top, json!(true), WAIT, "sorted by tag").await;
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;

    // A change far down the list while the person is at the top...
    let far = &by_tag[9_000];
    server.set_quantity(far.id, 77.77).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!rendered_ids(&browser).await.contains(&far.id), "not rendered while out of view");
    // ...is there when they scroll to it.
    let scroll = "const s = document.querySelector('[data-testid=scroller]'); s.scrollTop = 8995 * 40; \
                  s.dispatchEvent(new Event('scroll')); return null";
    browser.eval(scroll).await;
    let cell = format!("tr[data-id='{}'] [data-testid=quantity]", far.id);
    let want = format!("77.77 {}", far.unit_of_measure_abbreviation);
    browser.wait_text(&cell, WAIT, |t| t == want).await;
    let in_dom = rendered_ids(&browser).await.len();
    assert!(in_dom < 80, "still only the window after scrolling: {in_dom} rows");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_packages_detail_shows_every_field_and_its_history_live() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    let target = active(&server).await[3].clone();
    server.set_quantity(target.id, 42.0).await;
    browser.open_as(&server, OPERATOR, &format!("/licenses/{LICENSE}/packages")).await;
    browser.wait_text(&format!("tr[data-id='{}'] a", target.id), WAIT, |t| t == target.label).await;
    click(&browser, &format!("tr[data-id='{}'] a", target.id)).await;

    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.path(), format!("/packages/{}", target.id));
    let tag = browser.wait_text("[data-testid=package-tag]", WAIT, |t| !t.is_empty()).await;
    assert_eq!(tag, target.label);
    let unit = &target.unit_of_measure_abbreviation;
    browser.wait_text("[data-fact=Quantity]", WAIT, |t| t == format!("42 {unit}")).await;
    assert_eq!(browser.text("[data-fact=Item]").await.unwrap(), target.item.name);
    assert_eq!(browser.text("[data-fact=Location]").await.unwrap(), target.location_name);
    let history =
        browser.wait_text("[data-testid=history] tbody", WAIT, |t| t.contains("Test operator")).await;
    assert!(history.contains("adjusted"), "{history}");

    // Another person changes it: the page follows, history included.
    server.set_quantity(target.id, 40.5).await;
    browser.wait_text("[data-fact=Quantity]", WAIT, |t| t == format!("40.5 {unit}")).await;
    let rows = "return document.querySelectorAll('[data-testid=history] tbody tr').length";
    let before = browser.eval(rows).await.as_u64().unwrap();
    assert!(before >= 2, "both changes listed: {before}");
    browser.screenshot("package-detail").await;

    // A package that does not exist (or is another organization's) is not found.
    browser.client.goto(&format!("{}/packages/99999999", server.url)).await.unwrap();
    let error = browser.wait_text("[data-testid=error]", WAIT, |t| !t.is_empty()).await;
    assert!(error.contains("Not found"), "{error}");
    browser.close().await;
}

/// Every frame's (selected tab, count text), recorded in the page from now on.
const RECORD_FRAMES: &str = "window.__frames = []; const tick = () => { \
     const tab = document.querySelector('.tabs [aria-current=page], .tabs .tab--on'); \
     const count = document.querySelector('[data-testid=count]'); \
     window.__frames.push([tab ? tab.textContent.trim() : null, count ? count.textContent : null]); \
     if (window.__frames.length < 1200) requestAnimationFrame(tick); }; tick(); return null";

#[tokio::test(flavor = "multi_thread")]
async fn the_inactive_tab_never_shows_the_active_list() {
    let server = TestServer::start().await;
    let browser = Browser::start().await;
    browser.open_as(&server, OPERATOR, &format!("/licenses/{LICENSE}/packages")).await;
    let active_count = format!("{} packages", active(&server).await.len());
    let filter = PackageFilter::Inactive;
    let inactive =
        server.state.store.call(move |c| Ok(db::packages::list(c, LICENSE, filter)?)).await.unwrap();
    let inactive_count = format!("{} packages", inactive.len());
    assert_ne!(active_count, inactive_count, "the demo lists differ in size");
    browser.wait_text("[data-testid=count]", WAIT, |t| t == active_count).await;

    // A search typed and cleared, as a person looking for something does.
    let search = browser.client.find(Locator::Css("[data-testid=search]")).await.unwrap();
    search.send_keys("blue").await.unwrap();
    browser.wait_text("[data-testid=count]", WAIT, |t| t.contains(" of ")).await;
    search.clear().await.unwrap();
    browser.client.execute("document.querySelector('[data-testid=search]').dispatchEvent(new Event('input', {bubbles: true})); return null", vec![]).await.unwrap();
    browser.wait_text("[data-testid=count]", WAIT, |t| t == active_count).await;

    // Inactive: from the click on, every frame shows the inactive list or a
    // loading state, never the active list under the Inactive tab.
    browser.eval(RECORD_FRAMES).await;
    let clicked = Instant::now();
    click(&browser, ".tabs a:nth-child(2)").await;
    browser.wait_text("[data-testid=count]", WAIT, |t| t == inactive_count).await;
    let shown_in = clicked.elapsed();
    let frames: Vec<(Option<String>, Option<String>)> =
        serde_json::from_value(browser.eval("return window.__frames").await).unwrap();
    let wrong: Vec<_> = frames
        .iter()
        .filter(|(tab, count)| tab.as_deref() == Some("Inactive") && count.as_deref() == Some(&active_count))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} frames showed the active list under Inactive",
        wrong.len(),
        frames.len()
    );
    assert!(shown_in < Duration::from_secs(3), "the inactive list took {shown_in:?}");
    println!("Inactive tab: its list shown {shown_in:?} after the click ({} frames checked)", frames.len());

    browser.close().await;
}
