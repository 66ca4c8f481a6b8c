//! The JSON API for licenses and packages, called the way the app calls it
//! (no network: `oneshot`): signed in, scoped to the organization.

mod common;

use axum::http::{Method, Request, StatusCode, header};
use budtags_wire::{ErrorBody, ErrorCode, License, Package, PackageChange, PackageList, RealtimeEvent};
use common::{LICENSE_ORG_1, LICENSE_ORG_2, call, first_package, get, json_request, login, state};

fn patch(uri: &str, body: &str) -> Request<axum::body::Body> {
    Request::patch(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn each_organization_sees_only_its_own_licenses() {
    let (state, _dir) = state();
    let green = login(&state, "viewer@greenleaf.test").await;
    let licenses: Vec<License> = call(&state, green.sign(get("/api/licenses"), false)).await.json();
    let numbers: Vec<&str> = licenses.iter().map(|l| l.license_number.as_str()).collect();
    assert_eq!(numbers, ["C11-0000090-LIC", "C11-0000091-LIC"]);
    let sierra = login(&state, "viewer@sierra.test").await;
    let licenses: Vec<License> = call(&state, sierra.sign(get("/api/licenses"), false)).await.json();
    assert_eq!(licenses.iter().map(|l| l.organization_id).collect::<Vec<_>>(), [2]);
}

#[tokio::test]
async fn without_a_session_every_resource_is_401() {
    let (state, _dir) = state();
    for uri in [
        "/api/licenses",
        "/api/licenses/C11-0000090-LIC/packages",
        "/api/packages/1",
        "/api/packages/1/history",
        "/api/labels",
        "/api/jobs",
        "/api/transfers/1",
        "/api/licenses/C11-0000090-LIC/transfers/incoming",
        "/api/events",
    ] {
        let answer = call(&state, get(uri)).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(answer.json::<ErrorBody>().error.code, ErrorCode::Unauthorized, "{uri}");
    }
}

#[tokio::test]
async fn active_and_inactive_partition_a_licenses_packages() {
    let (state, _dir) = state();
    let viewer = login(&state, "viewer@greenleaf.test").await;
    let mut seen = 0;
    for filter in ["active", "inactive"] {
        let uri = format!("/api/licenses/{LICENSE_ORG_1}/packages?filter={filter}");
        let answer = call(&state, viewer.sign(get(&uri), false)).await;
        assert_eq!(answer.status, StatusCode::OK);
        let list: PackageList = answer.json();
        assert_eq!(list.total, list.data.len());
        assert!(list.data.iter().all(|p| p.is_finished == (filter == "inactive")));
        assert!(list.data.iter().all(|p| p.label.len() == 24));
        seen += list.total;
    }
    assert_eq!(seen, 40);
}

#[tokio::test]
async fn a_limited_list_is_the_head_of_the_whole_one_with_its_total() {
    let (state, _dir) = state();
    let viewer = login(&state, "viewer@greenleaf.test").await;
    let uri = format!("/api/licenses/{LICENSE_ORG_1}/packages?filter=active");
    let whole: PackageList = call(&state, viewer.sign(get(&uri), false)).await.json();
    let answer = call(&state, viewer.sign(get(&format!("{uri}&limit=5")), false)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.headers.get(header::ETAG).is_none(), "part of a list is never revalidated");
    let head: PackageList = answer.json();
    assert_eq!(head.total, whole.total);
    assert_eq!(head.data, whole.data[..5]);
    for bad in ["0", "-1", "ten", "1001"] {
        let answer = call(&state, viewer.sign(get(&format!("{uri}&limit={bad}")), false)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "limit={bad}");
        assert!(answer.json::<ErrorBody>().error.message.contains(bad));
    }
}

#[tokio::test]
async fn another_organizations_license_and_package_are_not_found() {
    let (state, _dir) = state();
    let viewer = login(&state, "viewer@greenleaf.test").await;
    let theirs = first_package(&state, LICENSE_ORG_2).await;
    for uri in [
        format!("/api/licenses/{LICENSE_ORG_2}/packages"),
        format!("/api/packages/{theirs}"),
        format!("/api/packages/{theirs}/history"),
        "/api/licenses/NOPE/packages".to_owned(),
        "/api/packages/999999".to_owned(),
    ] {
        let answer = call(&state, viewer.sign(get(&uri), false)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(answer.json::<ErrorBody>().error.code, ErrorCode::NotFound);
    }
    let operator = login(&state, "operator@greenleaf.test").await;
    let forged = operator.sign(patch(&format!("/api/packages/{theirs}"), r#"{"Quantity": 1}"#), true);
    assert_eq!(call(&state, forged).await.status, StatusCode::NOT_FOUND);
    assert_eq!(state.events.head().await.unwrap(), 0, "nothing changed");
}

#[tokio::test]
async fn a_bad_filter_and_an_unknown_endpoint_get_the_shared_error_body() {
    let (state, _dir) = state();
    let viewer = login(&state, "viewer@greenleaf.test").await;
    let uri = format!("/api/licenses/{LICENSE_ORG_1}/packages?filter=archived");
    let answer = call(&state, viewer.sign(get(&uri), false)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.json::<ErrorBody>().error.message.contains("archived"));
    let answer = call(&state, get("/api/nope")).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    answer.json::<ErrorBody>();
}

#[tokio::test]
async fn etag_answers_304_until_the_list_changes() {
    let (state, _dir) = state();
    let operator = login(&state, "operator@greenleaf.test").await;
    let uri = format!("/api/licenses/{LICENSE_ORG_1}/packages?filter=active");
    let answer = call(&state, operator.sign(get(&uri), false)).await;
    let etag = answer.headers.get(header::ETAG).unwrap().clone();
    let list: PackageList = answer.json();
    let conditional = || {
        operator.sign(
            Request::get(&uri).header(header::IF_NONE_MATCH, etag.clone()).body(Default::default()).unwrap(),
            false,
        )
    };
    let answer = call(&state, conditional()).await;
    assert_eq!((answer.status, answer.body.len()), (StatusCode::NOT_MODIFIED, 0));

    let id = list.data[0].id;
    let answer =
        call(&state, operator.sign(patch(&format!("/api/packages/{id}"), r#"{"Quantity": 1.5}"#), true))
            .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(call(&state, conditional()).await.status, StatusCode::OK);
}

#[tokio::test]
async fn viewers_and_forged_requests_cannot_change_quantities() {
    let (state, _dir) = state();
    let id = first_package(&state, LICENSE_ORG_1).await;
    let uri = format!("/api/packages/{id}");
    let viewer = login(&state, "viewer@greenleaf.test").await;
    let answer = call(&state, viewer.sign(patch(&uri, r#"{"Quantity": 1}"#), true)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.json::<ErrorBody>().error.message.contains("Viewers cannot"));
    let operator = login(&state, "operator@greenleaf.test").await;
    let answer = call(&state, operator.sign(patch(&uri, r#"{"Quantity": 1}"#), false)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "no CSRF token");
    assert!(answer.json::<ErrorBody>().error.message.contains("X-CSRF-TOKEN"));
    assert_eq!(state.events.head().await.unwrap(), 0, "no event was logged");
}

#[tokio::test]
async fn bad_quantities_are_refused_and_change_nothing() {
    let (state, _dir) = state();
    let operator = login(&state, "operator@greenleaf.test").await;
    let id = first_package(&state, LICENSE_ORG_1).await;
    let uri = format!("/api/packages/{id}");
    for body in [r#"{"Quantity": -1}"#, r#"{"Quantity": "lots"}"#, "not json", r#"{"Qty": 1}"#] {
        let answer = call(&state, operator.sign(patch(&uri, body), true)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        answer.json::<ErrorBody>();
    }
    let answer = call(&state, operator.sign(patch(&uri, r#"{"Quantity": -1}"#), true)).await;
    assert!(answer.json::<ErrorBody>().error.fields.contains_key("Quantity"));
    assert_eq!(state.events.head().await.unwrap(), 0, "no event was logged");
}

#[tokio::test]
async fn every_change_is_logged_for_replay_in_order_with_its_inventory_delta() {
    let (state, _dir) = state();
    let operator = login(&state, "operator@greenleaf.test").await;
    let id = first_package(&state, LICENSE_ORG_1).await;
    for q in [3.0, 2.0, 1.5] {
        let body = serde_json::json!({"Quantity": q});
        let answer = call(
            &state,
            operator.sign(json_request(Method::PATCH, &format!("/api/packages/{id}"), body), true),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    // Each change logs the new row on its license channel, then the delta on
    // the organization's inventory channel.
    let replay = state.events.since(2).await.unwrap().unwrap();
    assert_eq!(replay.iter().map(|e| e.id).collect::<Vec<_>>(), vec![3, 4, 5, 6]);
    let deltas: Vec<f64> = replay
        .iter()
        .filter_map(|e| match &e.event {
            RealtimeEvent::InventoryUpdated { change, organization_id: 1, .. } => Some(*change),
            _ => None,
        })
        .collect();
    assert_eq!(deltas, vec![-1.0, -0.5]);
    assert!(
        matches!(&replay[0].event, RealtimeEvent::PackageUpdate { package_id, data, .. } if *package_id == id && data.quantity == 2.0)
    );
}

#[tokio::test]
async fn history_lists_each_change_newest_first_and_a_finished_package_comes_back() {
    let (state, _dir) = state();
    let operator = login(&state, "operator@greenleaf.test").await;
    let id = first_package(&state, LICENSE_ORG_1).await;
    let uri = format!("/api/packages/{id}");
    for q in [5.0, 0.0, 2.0] {
        let body = serde_json::json!({"Quantity": q});
        let answer = call(&state, operator.sign(json_request(Method::PATCH, &uri, body), true)).await;
        assert_eq!(answer.status, StatusCode::OK);
        let package: Package = answer.json();
        assert_eq!(package.is_finished, q == 0.0, "quantity {q}");
    }
    let history: Vec<PackageChange> =
        call(&state, operator.sign(get(&format!("{uri}/history")), false)).await.json();
    let kinds: Vec<&str> = history.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["restored", "finished", "adjusted", "created"]);
    assert_eq!(history[0].by, "Omar Operator");
    assert_eq!((history[0].quantity, history[0].change), (2.0, 2.0));
    assert!(history[0].revision > history[1].revision);
}
