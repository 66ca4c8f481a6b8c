//! The JSON API, called the way the app calls it (no network: `oneshot`).

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use budtags_server::{AppState, Store, api};
use budtags_wire::{ErrorBody, ErrorCode, License, PackageList, RealtimeEvent};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn state() -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("api.sqlite3"), 40).unwrap();
    (AppState::new(store), dir)
}

async fn send(state: &AppState, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let res = api(state.clone()).oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    (parts.status, parts.headers, body.collect().await.unwrap().to_bytes().to_vec())
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn patch(uri: &str, body: &str) -> Request<Body> {
    Request::patch(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn demo_data_has_two_organizations_and_three_licenses() {
    let (state, _dir) = state();
    let (status, _, body) = send(&state, get("/licenses")).await;
    assert_eq!(status, StatusCode::OK);
    let licenses: Vec<License> = serde_json::from_slice(&body).unwrap();
    assert_eq!(licenses.len(), 3);
    let mut orgs: Vec<i64> = licenses.iter().map(|l| l.organization_id).collect();
    orgs.dedup();
    assert_eq!(orgs, vec![1, 2]);
}

#[tokio::test]
async fn active_and_inactive_partition_a_licenses_packages() {
    let (state, _dir) = state();
    let mut seen = 0;
    for filter in ["active", "inactive"] {
        let uri = format!("/licenses/C11-0000090-LIC/packages?filter={filter}");
        let (status, _, body) = send(&state, get(&uri)).await;
        assert_eq!(status, StatusCode::OK);
        let list: PackageList = serde_json::from_slice(&body).unwrap();
        assert_eq!(list.total, list.data.len());
        assert!(list.data.iter().all(|p| p.is_finished == (filter == "inactive")));
        assert!(list.data.iter().all(|p| p.label.len() == 24));
        seen += list.total;
    }
    assert_eq!(seen, 40);
}

#[tokio::test]
async fn unknown_license_and_bad_filter_get_the_shared_error_body() {
    let (state, _dir) = state();
    let (status, _, body) = send(&state, get("/licenses/NOPE/packages")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let body: ErrorBody = serde_json::from_slice(&body).unwrap();
    assert_eq!(body.error.code, ErrorCode::NotFound);

    let (status, _, body) = send(&state, get("/licenses/C11-0000090-LIC/packages?filter=archived")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body: ErrorBody = serde_json::from_slice(&body).unwrap();
    assert!(body.error.message.contains("archived"));

    let (status, _, body) = send(&state, get("/nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    serde_json::from_slice::<ErrorBody>(&body).unwrap();
}

#[tokio::test]
async fn etag_answers_304_until_the_list_changes() {
    let (state, _dir) = state();
    let uri = "/licenses/C11-0000090-LIC/packages?filter=active";
    let (_, headers, body) = send(&state, get(uri)).await;
    let etag = headers.get(header::ETAG).unwrap().clone();
    let list: PackageList = serde_json::from_slice(&body).unwrap();

    let conditional =
        || Request::get(uri).header(header::IF_NONE_MATCH, etag.clone()).body(Body::empty()).unwrap();
    let (status, _, body) = send(&state, conditional()).await;
    assert_eq!((status, body.len()), (StatusCode::NOT_MODIFIED, 0));

    let id = list.data[0].id;
    let (status, _, _) = send(&state, patch(&format!("/packages/{id}"), r#"{"Quantity": 1.5}"#)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = send(&state, conditional()).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn bad_quantities_are_refused_and_change_nothing() {
    let (state, _dir) = state();
    for body in [r#"{"Quantity": -1}"#, r#"{"Quantity": "lots"}"#, "not json", r#"{"Qty": 1}"#] {
        let (status, _, bytes) = send(&state, patch("/packages/1", body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        serde_json::from_slice::<ErrorBody>(&bytes).unwrap();
    }
    let (status, _, _) = send(&state, get("/packages/999999")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(state.events.head().await.unwrap(), 0, "no event was logged");
}

#[tokio::test]
async fn every_change_is_logged_for_replay_in_order_with_its_inventory_delta() {
    let (state, _dir) = state();
    for q in [3.0, 2.0, 1.5] {
        let (status, _, _) = send(&state, patch("/packages/2", &format!(r#"{{"Quantity": {q}}}"#))).await;
        assert_eq!(status, StatusCode::OK);
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
        matches!(&replay[0].event, RealtimeEvent::PackageUpdate { package_id: 2, data, .. } if data.quantity == 2.0)
    );
}
