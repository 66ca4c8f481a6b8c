//! Label approvals: staff approve or reject the organization's queue, other
//! staff hear about it, viewers and other organizations cannot act.

mod common;

use std::time::Duration;

use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use budtags_server::{AppState, routes};
use budtags_wire::{ErrorBody, Label, LabelStatus};
use common::{Session, call, get, json_request, login, state};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn queue(state: &AppState, session: &Session, status: &str) -> Vec<Label> {
    call(state, session.sign(get(&format!("/api/labels?status={status}")), false)).await.json()
}

fn approve(id: i64) -> Request<Body> {
    Request::post(format!("/api/labels/{id}/approve")).body(Body::empty()).unwrap()
}

fn reject(id: i64, body: serde_json::Value) -> Request<Body> {
    json_request(Method::POST, &format!("/api/labels/{id}/reject"), body)
}

#[tokio::test]
async fn each_organization_has_its_own_queue_oldest_request_first() {
    let (state, _dir) = state();
    let viewer = login(&state, "viewer@greenleaf.test").await;
    let pending = queue(&state, &viewer, "pending").await;
    assert_eq!(pending.len(), 12);
    assert!(pending.windows(2).all(|w| w[0].requested_at <= w[1].requested_at));
    assert!(pending.iter().all(|l| l.organization_id == 1 && l.package_label.len() == 24));
    let default: Vec<Label> = call(&state, viewer.sign(get("/api/labels"), false)).await.json();
    assert_eq!(default, pending, "pending by default");
    assert_eq!(queue(&state, &viewer, "approved").await.len(), 6);
    let rejected = queue(&state, &viewer, "rejected").await;
    assert_eq!(rejected.len(), 3);
    assert!(rejected.iter().all(|l| l.reason.as_deref().is_some_and(|r| !r.is_empty())));

    let sierra = login(&state, "approver@sierra.test").await;
    let theirs = queue(&state, &sierra, "pending").await;
    assert!(theirs.iter().all(|l| l.organization_id == 2));
    let answer = call(&state, sierra.sign(approve(pending[0].id), true)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "another organization's label is not theirs to see");

    let answer = call(&state, viewer.sign(get("/api/labels?status=lost"), false)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn staff_approve_once_and_a_second_decision_is_a_conflict_naming_who_decided() {
    let (state, _dir) = state();
    let ana = login(&state, "approver@greenleaf.test").await;
    let id = queue(&state, &ana, "pending").await[0].id;
    let answer = call(&state, ana.sign(approve(id), true)).await;
    assert_eq!(answer.status, StatusCode::OK);
    let label: Label = answer.json();
    assert_eq!((label.status, label.decided_by.as_deref()), (LabelStatus::Approved, Some("Ana Approver")));
    assert_eq!(label.revision, 2);

    let again = call(&state, ana.sign(reject(id, serde_json::json!({"reason": "Too late."})), true)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json::<ErrorBody>().error.message, "This label was already approved by Ana Approver.");
    assert!(queue(&state, &ana, "pending").await.iter().all(|l| l.id != id));
    assert!(queue(&state, &ana, "approved").await.iter().any(|l| l.id == id));
}

#[tokio::test]
async fn the_same_persons_same_decision_again_is_answered_as_the_first_time() {
    // An outbox replays a decision whose answer was lost: it counts once.
    let (state, _dir) = state();
    let ana = login(&state, "approver@greenleaf.test").await;
    let pending = queue(&state, &ana, "pending").await;
    let (approved, rejected) = (pending[0].id, pending[1].id);
    let first = call(&state, ana.sign(approve(approved), true)).await.json::<Label>();
    let head = state.events.head().await.unwrap();
    let again = call(&state, ana.sign(approve(approved), true)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json::<Label>(), first, "the same label, not decided twice");
    let body = serde_json::json!({"reason": "Wrong weight."});
    let first = call(&state, ana.sign(reject(rejected, body.clone()), true)).await.json::<Label>();
    assert_eq!(call(&state, ana.sign(reject(rejected, body), true)).await.json::<Label>(), first);
    assert_eq!(state.events.head().await.unwrap(), head + 1, "one event for the rejection, none for replays");

    // Another decision, or another person's, is still a conflict.
    let other = serde_json::json!({"reason": "Changed my mind."});
    assert_eq!(call(&state, ana.sign(reject(rejected, other), true)).await.status, StatusCode::CONFLICT);
    let bea = login(&state, "approver2@greenleaf.test").await;
    assert_eq!(call(&state, bea.sign(approve(approved), true)).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_rejection_needs_a_reason() {
    let (state, _dir) = state();
    let ana = login(&state, "approver@greenleaf.test").await;
    let id = queue(&state, &ana, "pending").await[0].id;
    for body in [serde_json::json!({"reason": "   "}), serde_json::json!({})] {
        let answer = call(&state, ana.sign(reject(id, body.clone()), true)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        let error = answer.json::<ErrorBody>().error;
        assert_eq!(
            error.fields.get("reason").map(String::as_str),
            Some("Give a reason for rejecting this label.")
        );
    }
    let long = serde_json::json!({"reason": "x".repeat(501)});
    assert_eq!(call(&state, ana.sign(reject(id, long), true)).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(state.events.head().await.unwrap(), 0, "nothing was decided");

    let answer =
        call(&state, ana.sign(reject(id, serde_json::json!({"reason": "Wrong weight."})), true)).await;
    let label: Label = answer.json();
    assert_eq!((label.status, label.reason.as_deref()), (LabelStatus::Rejected, Some("Wrong weight.")));
}

#[tokio::test]
async fn viewers_and_operators_cannot_decide_even_with_a_forged_request() {
    let (state, _dir) = state();
    let viewer = login(&state, "viewer@greenleaf.test").await;
    let id = queue(&state, &viewer, "pending").await[0].id;
    for email in ["viewer@greenleaf.test", "operator@greenleaf.test"] {
        let session = login(&state, email).await;
        let answer = call(&state, session.sign(approve(id), true)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{email}");
        assert_eq!(
            answer.json::<ErrorBody>().error.message,
            "Only staff approvers can approve or reject labels."
        );
    }
    let ana = login(&state, "approver@greenleaf.test").await;
    assert_eq!(call(&state, ana.sign(approve(id), false)).await.status, StatusCode::FORBIDDEN, "no CSRF");
    assert_eq!(queue(&state, &viewer, "pending").await[0].id, id, "still pending");
}

/// The SSE stream of `session`: its data lines, one per event, as they come.
async fn event_stream(state: &AppState, session: &Session) -> Body {
    let response = routes(state.clone()).oneshot(session.sign(get("/api/events"), false)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.into_body()
}

/// The SSE event names that arrive on `body` within `wait`.
async fn names_within(body: &mut Body, wait: Duration) -> Vec<String> {
    let mut names = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(deadline, body.frame()).await {
        if let Ok(data) = frame.into_data() {
            let text = String::from_utf8_lossy(&data).to_string();
            names.extend(text.lines().filter_map(|l| l.strip_prefix("event: ").map(str::to_owned)));
        }
    }
    names
}

#[tokio::test]
async fn another_staff_members_stream_hears_the_decision_and_another_organizations_does_not() {
    let (state, _dir) = state();
    let ana = login(&state, "approver@greenleaf.test").await;
    let vera = login(&state, "viewer@greenleaf.test").await;
    let sam = login(&state, "approver@sierra.test").await;
    let mut ours = event_stream(&state, &vera).await;
    let mut theirs = event_stream(&state, &sam).await;
    let id = queue(&state, &ana, "pending").await[0].id;
    assert_eq!(call(&state, ana.sign(approve(id), true)).await.status, StatusCode::OK);
    let heard = names_within(&mut ours, Duration::from_millis(500)).await;
    assert_eq!(heard, ["ready", "label-approved"]);
    let heard = names_within(&mut theirs, Duration::from_millis(300)).await;
    assert_eq!(heard, ["ready"], "organization 2 hears nothing of organization 1");

    // Replay after a reconnect is filtered the same way.
    let request = sam.sign(get("/api/events"), false);
    let (mut parts, body) = request.into_parts();
    parts.headers.insert("last-event-id", "0".parse().unwrap());
    let response = routes(state.clone()).oneshot(Request::from_parts(parts, body)).await.unwrap();
    let mut replayed = response.into_body();
    assert_eq!(names_within(&mut replayed, Duration::from_millis(300)).await, ["ready"]);
}
