//! Label sheets: an operator picks approved labels and generates a sheet;
//! the job's progress shows as it runs on the server, and the finished sheet
//! opens with a scannable barcode per label. A job that fails says why, and
//! Retry runs it again once the cause is fixed.

mod support;

use budtags_wire::LabelStatus;
use fantoccini::Locator;
use support::{
    Browser, TestServer,
    flows::{GREENLEAF, WAIT, approve_quietly, labels, open_as},
};

async fn click(browser: &Browser, css: &str) {
    browser.client.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
}

/// Waits for the job page and returns the job id from its address.
async fn job_id(browser: &Browser) -> String {
    let script = "return location.pathname.startsWith('/jobs/') ? location.pathname.slice(6) : ''";
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let id = browser.eval(script).await.as_str().unwrap_or_default().to_owned();
        if !id.is_empty() {
            return id;
        }
        assert!(std::time::Instant::now() < deadline, "never reached the job page");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn select_all_selects_only_labels_the_person_can_see() {
    let server = TestServer::start().await;
    // A long queue approved: more labels than fit in a small box.
    for label in labels(&server, GREENLEAF, LabelStatus::Pending).await {
        approve_quietly(&server, label.id, "Test approver").await;
    }
    let approved = labels(&server, GREENLEAF, LabelStatus::Approved).await;
    assert!(approved.len() >= 18, "{} approved", approved.len());
    let operator = open_as(&server, "operator@greenleaf.test", "/jobs").await;
    let last = &approved.last().unwrap().package_label;
    operator.wait_text("[data-testid=approved-labels]", WAIT, |t| t.contains(last.as_str())).await;
    let all = format!("Select all {}", approved.len());
    operator.wait_text("label:has([data-testid=select-all])", WAIT, |t| t.trim() == all).await;
    // Every label is in the page's flow: nothing hides in an inner scroll box.
    let hidden = "const l = document.querySelector('[data-testid=approved-labels]');
                  return l.scrollHeight - l.clientHeight";
    assert_eq!(operator.eval(hidden).await.as_i64(), Some(0), "the list scrolls inside itself");
    click(&operator, "[data-testid=select-all]").await;
    let n = approved.len();
    operator.wait_text("[data-testid=selected-count]", WAIT, |t| t == format!("{n} of {n} selected")).await;
    click(&operator, &format!("[data-testid=pick][data-id='{}']", approved[0].id)).await;
    let fewer = format!("{} of {n} selected", n - 1);
    operator.wait_text("[data-testid=selected-count]", WAIT, |t| t == fewer).await;
    operator.close().await;
}

const PROGRESS: &str = "const p = document.querySelector('.job [role=progressbar]');
     return p ? Number(p.getAttribute('aria-valuenow')) : -1";

#[tokio::test(flavor = "multi_thread")]
async fn a_label_sheet_job_shows_its_progress_and_opens_a_sheet_of_barcodes() {
    let server = TestServer::start().await;
    let approved = labels(&server, GREENLEAF, LabelStatus::Approved).await;
    assert!(approved.len() >= 2, "the demo data has approved labels");
    let copies: u32 = approved.iter().map(|l| l.copies).sum();

    let operator = open_as(&server, "operator@greenleaf.test", "/jobs").await;
    operator
        .wait_text("[data-testid=approved-labels]", WAIT, |t| t.contains(&approved[0].package_label))
        .await;
    click(&operator, "[data-testid=select-all]").await;
    operator
        .wait_text("[data-testid=selected-count]", WAIT, |t| {
            t == format!("{n} of {n} selected", n = approved.len())
        })
        .await;
    operator.screenshot("jobs").await;
    click(&operator, "[data-testid=generate]").await;
    let id = job_id(&operator).await;

    // The bar moves while the server works through the labels (250 ms each).
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let progress = operator.eval(PROGRESS).await.as_i64().unwrap_or(-1);
        if seen.last() != Some(&progress) {
            seen.push(progress);
            if progress > 0 && progress < 100 && seen.iter().filter(|p| **p > 0 && **p < 100).count() == 1 {
                operator.screenshot("job-progress").await;
            }
        }
        if progress == 100 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the job never finished: {seen:?}");
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
    assert!(seen.iter().any(|p| *p > 0 && *p < 100), "progress between 0 and 100 showed: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress only moves forward: {seen:?}");
    operator.wait_text("[data-testid=job-status]", WAIT, |t| t == "Completed").await;

    let open =
        operator.eval("return document.querySelector('[data-testid=open-sheet]').getAttribute('href')").await;
    assert_eq!(open, serde_json::json!(format!("/api/jobs/{id}/sheet")));
    let download = operator
        .eval("return document.querySelector('[data-testid=download-sheet]').getAttribute('href')")
        .await;
    assert_eq!(download, serde_json::json!(format!("/api/jobs/{id}/sheet?download=1")));

    // The sheet: one barcode per label copy, with each package's tag.
    operator.client.goto(&format!("{}/api/jobs/{id}/sheet", server.url)).await.unwrap();
    let barcodes = operator.eval("return document.querySelectorAll('svg').length").await;
    assert_eq!(barcodes, serde_json::json!(copies), "one SVG barcode per copy");
    let text = operator.eval("return document.body.textContent").await;
    for label in &approved {
        assert!(
            text.as_str().unwrap().contains(&label.package_label),
            "the sheet names {}",
            label.package_label
        );
    }
    operator.screenshot("label-sheet").await;

    // The job list shows it as completed.
    operator.client.goto(&format!("{}/jobs", server.url)).await.unwrap();
    operator.wait_text("[data-testid=jobs]", WAIT, |t| t.contains(&id) && t.contains("Completed")).await;
    operator.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_job_says_why_and_retry_succeeds_once_the_package_is_back() {
    let server = TestServer::start().await;
    let approved = labels(&server, GREENLEAF, LabelStatus::Approved).await;
    let label = approved[0].clone();
    let quantity = label.quantity.max(1.0);
    // The package was used up after its label was approved.
    budtags_server::packages::adjust_quantity(&server.state, label.package_id, 0.0, "Test").await.unwrap();

    let operator = open_as(&server, "operator@greenleaf.test", "/jobs").await;
    let pick = format!("[data-testid=pick][data-id='{}']", label.id);
    operator.wait_text("[data-testid=approved-labels]", WAIT, |t| t.contains(&label.package_label)).await;
    click(&operator, &pick).await;
    click(&operator, "[data-testid=generate]").await;
    job_id(&operator).await;
    operator.wait_text("[data-testid=job-status]", WAIT, |t| t == "Failed").await;
    let failed = operator.wait_text("[data-testid=job-failed]", WAIT, |t| !t.is_empty()).await;
    assert!(failed.contains(&label.package_label) && failed.contains("finished"), "{failed}");

    // Back in stock: Retry runs the same job to completion.
    budtags_server::packages::adjust_quantity(&server.state, label.package_id, quantity, "Test")
        .await
        .unwrap();
    click(&operator, "[data-testid=retry]").await;
    operator.wait_text("[data-testid=job-status]", WAIT, |t| t == "Completed").await;
    operator.wait_text("[data-testid=job-done]", WAIT, |t| t.contains("ready")).await;
    operator.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_can_follow_jobs_but_not_generate_them() {
    let server = TestServer::start().await;
    let viewer = open_as(&server, "viewer@greenleaf.test", "/jobs").await;
    viewer.wait_text("[data-testid=approved-labels]", WAIT, |t| !t.is_empty()).await;
    viewer.wait_text("[data-testid=jobs]", WAIT, |t| t.contains("demo-1")).await;
    let buttons = viewer.eval("return document.querySelectorAll('[data-testid=generate]').length").await;
    assert_eq!(buttons, 0, "no generate button for a viewer");
    viewer.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn another_organizations_job_is_not_found() {
    let server = TestServer::start().await;
    let sierra = open_as(&server, "operator@sierra.test", "/jobs/demo-1").await;
    let panel = sierra.wait_text("[data-testid=error]", WAIT, |t| !t.is_empty()).await;
    assert!(panel.contains("Not found"), "{panel}");
    sierra.client.goto(&format!("{}/jobs/demo-2", server.url)).await.unwrap();
    sierra.wait_text("[data-testid=job-status]", WAIT, |t| t == "Completed").await;
    sierra.close().await;
}
