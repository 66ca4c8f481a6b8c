//! Label approvals: staff decide, colleagues see the decision live with a
//! toast, a label someone else already decided says so, and a viewer can
//! look but not act (the server refuses a forged request too).

mod support;

use budtags_wire::LabelStatus;
use fantoccini::Locator;
use support::{
    TestServer,
    flows::{GREENLEAF, WAIT, approve_quietly, labels, open_as, post_with_csrf, wait_toast},
};

fn card(id: i64) -> String {
    format!("[data-testid=label-card][data-id='{id}']")
}

fn has_card(id: i64) -> String {
    format!("return document.querySelector(\"{}\") !== null", card(id))
}

async fn click(browser: &support::Browser, css: &str) {
    browser.client.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_decide_labels_and_colleagues_see_it_live() {
    let server = TestServer::start().await;
    let pending = labels(&server, GREENLEAF, LabelStatus::Pending).await;
    assert!(pending.len() >= 3, "the demo queue has labels waiting");
    let (first, second, third) = (pending[0].id, pending[1].id, pending[2].id);

    let a = open_as(&server, "approver@greenleaf.test", "/labels").await;
    let b = open_as(&server, "approver2@greenleaf.test", "/labels").await;
    for browser in [&a, &b] {
        browser.wait_text(&card(first), WAIT, |t| t.contains(&pending[0].package_label)).await;
    }
    a.screenshot("labels").await;

    // A approves: the card leaves A's queue, and B's, with a toast for B.
    click(&a, &format!("{} [data-testid=approve]", card(first))).await;
    a.wait_js(&has_card(first), serde_json::json!(false), WAIT, "the approved card stayed").await;
    b.wait_js(&has_card(first), serde_json::json!(false), WAIT, "B still shows the approved card").await;
    wait_toast(&b, &format!("Label #{first} approved by Ana Approver")).await;
    assert_eq!(
        labels(&server, GREENLEAF, LabelStatus::Approved).await.iter().filter(|l| l.id == first).count(),
        1
    );

    // Rejecting needs a reason; the reason field has the focus, Enter sends
    // it, and B sees it live.
    click(&a, &format!("{} [data-testid=reject]", card(second))).await;
    let focused = "return document.activeElement && document.activeElement.dataset.testid";
    a.wait_js(focused, serde_json::json!("reason"), WAIT, "the reason field did not take the focus").await;
    click(&a, &format!("{} [data-testid=confirm-reject]", card(second))).await;
    a.wait_text(&format!("{} [data-testid=label-error]", card(second)), WAIT, |t| t.contains("reason")).await;
    assert!(labels(&server, GREENLEAF, LabelStatus::Pending).await.iter().any(|l| l.id == second));
    a.client
        .find(Locator::Css(&format!("{} [data-testid=reason]", card(second))))
        .await
        .unwrap()
        .send_keys("Lab results are not in yet\u{E007}") // the form has the focus; Enter rejects
        .await
        .unwrap();
    a.wait_js(&has_card(second), serde_json::json!(false), WAIT, "the rejected card stayed").await;
    wait_toast(&b, &format!("Label #{second} rejected: Lab results are not in yet")).await;
    let rejected = labels(&server, GREENLEAF, LabelStatus::Rejected).await;
    let decided = rejected.iter().find(|l| l.id == second).expect("rejected on the server");
    assert_eq!(decided.reason.as_deref(), Some("Lab results are not in yet"));

    // Someone approved the third label where B could not see it (no event):
    // B's approve is refused with who did it, the card rolls back out of
    // the queue for good after the refetch.
    approve_quietly(&server, third, "Sam Elsewhere").await;
    assert!(b.eval(&has_card(third)).await.as_bool().unwrap(), "B has not heard of it");
    click(&b, &format!("{} [data-testid=approve]", card(third))).await;
    let notice = b.wait_text("[data-testid=labels-notice]", WAIT, |t| !t.is_empty()).await;
    assert!(notice.contains("already approved by Sam Elsewhere"), "{notice}");
    b.wait_js(&has_card(third), serde_json::json!(false), WAIT, "the decided label stayed in the queue")
        .await;

    // The Approved tab lists what was approved, with who decided.
    click(&b, "[data-testid=tab-approved]").await;
    b.wait_text(&format!("{} [data-testid=decision]", card(first)), WAIT, |t| {
        t.contains("Approved by Ana Approver")
    })
    .await;
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_sees_the_queue_but_cannot_decide() {
    let server = TestServer::start().await;
    let pending = labels(&server, GREENLEAF, LabelStatus::Pending).await;
    let viewer = open_as(&server, "viewer@greenleaf.test", "/labels").await;
    viewer.wait_text(&card(pending[0].id), WAIT, |t| t.contains(&pending[0].product_name)).await;
    viewer.wait_text("[data-testid=read-only]", WAIT, |t| t.contains("staff approvers")).await;
    let buttons = viewer
        .eval("return document.querySelectorAll('[data-testid=approve], [data-testid=reject]').length")
        .await;
    assert_eq!(buttons, 0, "no decision buttons for a viewer");

    // A hand-made request with a valid session and CSRF token is still refused.
    let status =
        post_with_csrf(&viewer, &format!("/api/labels/{}/approve", pending[0].id), serde_json::json!({}))
            .await;
    assert_eq!(status, 403);
    let still = labels(&server, GREENLEAF, LabelStatus::Pending).await;
    assert!(still.iter().any(|l| l.id == pending[0].id), "the label is still pending");
    viewer.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_decision_made_offline_waits_on_its_card_and_is_sent_once_when_back() {
    let server = TestServer::start().await;
    let pending = labels(&server, GREENLEAF, LabelStatus::Pending).await;
    let id = pending[0].id;
    let a = open_as(&server, "approver@greenleaf.test", "/labels").await;
    a.wait_text(&card(id), WAIT, |t| !t.is_empty()).await;
    a.set_offline(true).await;
    click(&a, &format!("{} [data-testid=approve]", card(id))).await;
    a.wait_text(&format!("{} [data-testid=decision-queued]", card(id)), WAIT, |t| {
        t.contains("saved on this device")
    })
    .await;
    a.wait_text("[data-testid=outbox]", WAIT, |t| t == "1 label decision waiting to send").await;
    let first = a.eval("return document.querySelector('[data-testid=label-card]').dataset.id").await;
    assert_eq!(first, serde_json::json!(id.to_string()), "still in its place at the head of the queue");
    assert!(labels(&server, GREENLEAF, LabelStatus::Pending).await.iter().any(|l| l.id == id));

    // Back online, it is sent by itself, once.
    a.set_offline(false).await;
    let gone = format!("return document.querySelector(\"{}\") === null", card(id));
    a.wait_js(&gone, serde_json::json!(true), WAIT, "the approved label left the pending queue").await;
    let approved = labels(&server, GREENLEAF, LabelStatus::Approved).await;
    assert!(approved.iter().any(|l| l.id == id && l.decided_by.as_deref() == Some("Ana Approver")));
    assert_eq!(a.text("[data-testid=outbox]").await, None);
    a.close().await;
}
