//! Incoming transfers and check-in: an operator scans tags off a manifest,
//! every viewer of the transfer hears about it, and the last scan completes it.

mod common;

use axum::http::{Method, StatusCode};
use budtags_server::packages;
use budtags_wire::{
    CheckInResult, ErrorBody, PackageFilter, RealtimeEvent, ShipmentPackageState, Transfer, TransferDetail,
};
use common::{LICENSE_ORG_1, Session, call, get, json_request, login, state};

/// Demo transfer 2 (to license C11-0000090-LIC) is on its way with 10 packages;
/// transfer 3 with 4; transfer 1 has arrived.
const PENDING: i64 = 2;
const SMALL: i64 = 3;

async fn detail(state: &budtags_server::AppState, session: &Session, id: i64) -> TransferDetail {
    call(state, session.sign(get(&format!("/api/transfers/{id}")), false)).await.json()
}

fn scan(id: i64, label: &str, key: &str) -> axum::http::Request<axum::body::Body> {
    let body = serde_json::json!({"label": label, "idempotencyKey": key});
    json_request(Method::POST, &format!("/api/transfers/{id}/check-in"), body)
}

#[tokio::test]
async fn incoming_transfers_are_listed_newest_first_for_the_licenses_organization_only() {
    let (state, _dir) = state();
    let viewer = login(&state, "viewer@greenleaf.test").await;
    let uri = format!("/api/licenses/{LICENSE_ORG_1}/transfers/incoming");
    let transfers: Vec<Transfer> = call(&state, viewer.sign(get(&uri), false)).await.json();
    assert_eq!(transfers.iter().map(|t| t.id).collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(transfers.iter().filter(|t| t.is_pending()).count(), 2);
    let received = detail(&state, &viewer, 1).await;
    assert!(received.packages.iter().all(|p| p.shipment_package_state == ShipmentPackageState::Accepted));
    let pending = detail(&state, &viewer, PENDING).await;
    assert_eq!(pending.packages.len(), pending.transfer.package_count as usize);
    assert!(pending.packages.iter().all(|p| p.package_label.len() == 24 && p.received_quantity.is_none()));

    let sierra = login(&state, "operator@sierra.test").await;
    assert_eq!(call(&state, sierra.sign(get(&uri), false)).await.status, StatusCode::NOT_FOUND);
    let answer = call(&state, sierra.sign(get("/api/transfers/2"), false)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "organization 2 cannot read organization 1's transfer");
    assert_eq!(answer.json::<ErrorBody>().error.message, "No transfer 2.");
    let forged = sierra.sign(scan(PENDING, &pending.packages[0].package_label, "sierra-1"), true);
    assert_eq!(call(&state, forged).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_scan_checks_a_package_in_once_and_puts_it_in_the_licenses_inventory() {
    let (state, _dir) = state();
    let operator = login(&state, "operator@greenleaf.test").await;
    let tag = detail(&state, &operator, PENDING).await.packages[3].package_label.clone();
    let head = state.events.head().await.unwrap();

    // Typed in lower case with stray spaces, as a hand-typed tag might be.
    let typed = format!("  {} ", tag.to_lowercase());
    let key = format!("transfer-{PENDING}-{tag}");
    let answer = call(&state, operator.sign(scan(PENDING, &typed, &key), true)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer.body));
    let result: CheckInResult = answer.json();
    assert!(!result.duplicate);
    assert_eq!(result.package.shipment_package_state, ShipmentPackageState::Accepted);
    assert_eq!(result.package.received_quantity, Some(result.package.shipped_quantity));
    assert_eq!(result.package.checked_in_by.as_deref(), Some("Omar Operator"));
    assert_eq!(result.transfer.received_package_count, 1);
    assert!(result.transfer.received_date_time.is_none());

    let events = state.events.since(head).await.unwrap().unwrap();
    assert!(
        matches!(&events[0].event, RealtimeEvent::PackageCheckedIn { transfer_id: PENDING, label, checked_in_by, .. }
        if *label == tag && checked_in_by == "Omar Operator")
    );
    assert!(matches!(&events[1].event, RealtimeEvent::PackageUpdate { license, data, .. }
        if license == LICENSE_ORG_1 && data.label == tag && data.location_name == "Receiving"));
    assert!(matches!(&events[2].event, RealtimeEvent::InventoryUpdated { organization_id: 1, .. }));
    assert_eq!(events.len(), 3);

    // The scanner fires twice: one check-in, the first answer again.
    let again = call(&state, operator.sign(scan(PENDING, &tag, &key), true)).await;
    let again: CheckInResult = again.json();
    assert!(again.duplicate);
    assert_eq!(again.package, result.package);
    assert_eq!(state.events.since(head).await.unwrap().unwrap().len(), 3, "no second event");

    // Someone else scans the same tag: a clear conflict.
    let approver = login(&state, "approver@greenleaf.test").await;
    let answer = call(&state, approver.sign(scan(PENDING, &tag, "another-scan"), true)).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    let message = answer.json::<ErrorBody>().error.message;
    assert!(message.starts_with(&format!("{tag} was already checked in by Omar Operator at ")), "{message}");

    let license = LICENSE_ORG_1.to_owned();
    let active = state
        .store
        .call(move |conn| Ok(budtags_server::db::packages::list(conn, &license, PackageFilter::Active)?))
        .await
        .unwrap();
    assert_eq!(active.iter().filter(|p| p.label == tag).count(), 1, "in the recipient's inventory once");
}

#[tokio::test]
async fn wrong_tags_quantities_roles_and_tokens_are_refused_with_clear_messages() {
    let (state, _dir) = state();
    let operator = login(&state, "operator@greenleaf.test").await;
    let pending = detail(&state, &operator, PENDING).await;
    let other = detail(&state, &operator, SMALL).await.packages[0].package_label.clone();

    let answer = call(&state, operator.sign(scan(PENDING, &other, "k1"), true)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.json::<ErrorBody>().error.message,
        format!("Package {other} is not on manifest {}.", pending.transfer.manifest_number)
    );

    let answer = call(&state, operator.sign(scan(PENDING, "1A4-TOO-SHORT", "k2"), true)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.json::<ErrorBody>().error.fields.contains_key("label"));

    let tag = &pending.packages[0].package_label;
    let body = serde_json::json!({"label": tag, "receivedQuantity": -2, "idempotencyKey": "k3"});
    let request = json_request(Method::POST, &format!("/api/transfers/{PENDING}/check-in"), body);
    let answer = call(&state, operator.sign(request, true)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.json::<ErrorBody>().error.fields.contains_key("receivedQuantity"));

    let viewer = login(&state, "viewer@greenleaf.test").await;
    let answer = call(&state, viewer.sign(scan(PENDING, tag, "k4"), true)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.json::<ErrorBody>().error.message.contains("Viewers cannot check packages in"));
    let answer = call(&state, operator.sign(scan(PENDING, tag, "k5"), false)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "no CSRF token");

    let answer = call(&state, operator.sign(scan(999, tag, "k6"), true)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);

    let after = detail(&state, &operator, PENDING).await;
    assert_eq!(after, pending, "nothing was half-written");
    assert_eq!(state.events.head().await.unwrap(), 0);
}

#[tokio::test]
async fn a_counted_quantity_is_kept_and_the_last_scan_completes_the_transfer() {
    let (state, _dir) = state();
    let operator = login(&state, "operator@greenleaf.test").await;
    let tags: Vec<String> =
        detail(&state, &operator, SMALL).await.packages.into_iter().map(|p| p.package_label).collect();
    let head = state.events.head().await.unwrap();
    for (i, tag) in tags.iter().enumerate() {
        let body =
            serde_json::json!({"label": tag, "receivedQuantity": 7.5, "idempotencyKey": format!("k{i}")});
        let request = json_request(Method::POST, &format!("/api/transfers/{SMALL}/check-in"), body);
        let result: CheckInResult = call(&state, operator.sign(request, true)).await.json();
        assert_eq!(result.package.received_quantity, Some(7.5));
        assert_eq!(result.transfer.received_package_count as usize, i + 1);
        assert_eq!(result.transfer.received_date_time.is_some(), i + 1 == tags.len());
    }
    let events = state.events.since(head).await.unwrap().unwrap();
    let completed: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e.event, RealtimeEvent::TransferCompleted { transfer_id: SMALL }))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(completed, [events.len() - 1], "once, after the last check-in");
    let transfer = detail(&state, &operator, SMALL).await.transfer;
    assert!(!transfer.is_pending());

    // The received package is a real inventory package: its history says so.
    let id = budtags_server::db::transfers::inventory_package_id;
    let tag = tags[0].clone();
    let package_id = state.store.call(move |conn| Ok(id(conn, &tag)?)).await.unwrap().unwrap();
    let changed = packages::adjust_quantity(&state, package_id, 7.0, "Test").await.unwrap();
    assert_eq!(changed.quantity, 7.0);
}

#[tokio::test]
async fn idempotency_keys_belong_to_their_transfer_and_organization() {
    let (state, _dir) = state();
    let greenleaf = login(&state, "operator@greenleaf.test").await;
    let sierra = login(&state, "operator@sierra.test").await;
    let ours = detail(&state, &greenleaf, PENDING).await.packages[0].package_label.clone();
    // The key the app will use for our scan, predictable from the transfer and tag.
    let key = format!("transfer-{PENDING}-{ours}");

    // Organization 2 uses it first, on its own pending transfer.
    let uri = format!("/api/licenses/{}/transfers/incoming", common::LICENSE_ORG_2);
    let theirs: Vec<Transfer> = call(&state, sierra.sign(get(&uri), false)).await.json();
    let their_id = theirs.iter().find(|t| t.is_pending()).expect("organization 2 has a pending transfer").id;
    let their_tag = detail(&state, &sierra, their_id).await.packages[0].package_label.clone();
    let answer = call(&state, sierra.sign(scan(their_id, &their_tag, &key), true)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer.body));

    // Our real scan with the same key still checks our package in.
    let answer = call(&state, greenleaf.sign(scan(PENDING, &ours, &key), true)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer.body));
    assert!(!answer.json::<CheckInResult>().duplicate);

    // Organization 2 probing our transfer with the key learns nothing: the
    // same 404 as a transfer that does not exist.
    let probe = call(&state, sierra.sign(scan(PENDING, &ours, &key), true)).await;
    let unknown = call(&state, sierra.sign(scan(9_999, &ours, &key), true)).await;
    assert_eq!((probe.status, unknown.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(probe.json::<ErrorBody>().error.message, format!("No transfer {PENDING}."));
    assert_eq!(unknown.json::<ErrorBody>().error.message, "No transfer 9999.");
}
