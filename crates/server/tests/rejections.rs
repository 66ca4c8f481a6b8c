//! Every malformed request is answered with the JSON error body and a clear
//! message, never axum's `text/plain` and never the input repeated: bad
//! paths, queries, bodies and methods, ids past the event log's range,
//! quantities that would overflow, and bodies over the size limit.

mod common;

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use budtags_wire::{ErrorBody, ErrorCode, PackageChange};
use common::{LICENSE_ORG_1, call, first_package, get, json_request, login, state};

const PROBE: &str = "<script>alert(1)</script>";

fn raw(method: Method, uri: &str, content_type: Option<&str>, body: String) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    request.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn malformed_requests_get_json_errors() {
    let (state, _dir) = state();
    let operator = login(&state, "operator@greenleaf.test").await;
    let id = first_package(&state, LICENSE_ORG_1).await;
    let json = Some("application/json");
    let patch = format!("/api/packages/{id}");
    let cases: Vec<(&str, Request<Body>, StatusCode, ErrorCode)> = vec![
        ("id not a number", get("/api/packages/abc"), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (
            "id past i64",
            get("/api/packages/99999999999999999999"),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "script in the path",
            get("/api/packages/%3Cscript%3E"),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        ("transfer id", get("/api/transfers/x1"), StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (
            "not JSON",
            raw(Method::PATCH, &patch, json, PROBE.to_string()),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "wrong type",
            raw(Method::PATCH, &patch, json, format!(r#"{{"Quantity":"{PROBE}"}}"#)),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "no content type",
            raw(Method::PATCH, &patch, None, r#"{"Quantity":1}"#.into()),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "overflowing quantity",
            raw(Method::PATCH, &patch, json, r#"{"Quantity":1.7e308}"#.into()),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "negative quantity",
            raw(Method::PATCH, &patch, json, r#"{"Quantity":-1}"#.into()),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "received quantity",
            json_request(
                Method::POST,
                "/api/transfers/2/check-in",
                serde_json::json!({"label": "1A4F0E000000000000000001", "receivedQuantity": 1e12, "idempotencyKey": "k"}),
            ),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "method",
            raw(Method::DELETE, &patch, None, String::new()),
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
        ),
        (
            "method at the root",
            raw(Method::GET, "/broadcasting/auth", None, String::new()),
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
        ),
        (
            "too large",
            raw(
                Method::POST,
                "/api/login",
                json,
                format!(r#"{{"email":"{}","password":"x"}}"#, "a".repeat(70_000)),
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
        ),
        (
            "bad status query",
            get("/api/labels?status=%3Cb%3E"),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "replay after past i64",
            get("/api/events/replay?after=9223372036854775808&channel=org.1"),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "replay after past u64",
            get("/api/events/replay?after=99999999999999999999&channel=org.1"),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "replay after a word",
            get("/api/events/replay?after=%3Cscript%3E&channel=org.1"),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "sse query past i64",
            get("/api/events?lastEventId=9223372036854775808"),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "sse header past i64",
            Request::get("/api/events")
                .header("last-event-id", "9223372036854775808")
                .body(Body::empty())
                .unwrap(),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "ws query past i64",
            get("/ws?lastEventId=9223372036854775808"),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (
            "form body",
            raw(
                Method::POST,
                "/broadcasting/auth",
                Some("application/x-www-form-urlencoded"),
                format!("socket_id={PROBE}"),
            ),
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
    ];
    let mut plain = Vec::new();
    for (name, request, status, code) in cases {
        let answer = call(&state, operator.sign(request, true)).await;
        let text = String::from_utf8_lossy(&answer.body).into_owned();
        let content_type = answer.headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned());
        if content_type.as_deref() != Some("application/json") {
            plain.push(format!("{name}: {content_type:?} {text}"));
            continue;
        }
        assert_eq!(answer.status, status, "{name}: {text}");
        let body: ErrorBody = answer.json();
        assert_eq!(body.error.code, code, "{name}: {text}");
        assert!(!text.contains("<script") && !text.contains("%3C"), "{name} repeats the input: {text}");
        assert!(!body.error.message.is_empty(), "{name}");
    }
    assert!(plain.is_empty(), "not JSON:\n{}", plain.join("\n"));
}

#[tokio::test]
async fn a_bad_history_row_does_not_break_the_history() {
    let (state, _dir) = state();
    let viewer = login(&state, "viewer@greenleaf.test").await;
    let id = first_package(&state, LICENSE_ORG_1).await;
    common::patch_quantity(&state, id, 4.0).await;
    // A row as an unbounded quantity used to leave it: an infinite change.
    state
        .store
        .call(move |conn| {
            conn.execute(
                "INSERT INTO package_history (package_id, revision, at, kind, quantity, change, by)
                 VALUES (?1, 99, '2026-01-01T00:00:00+00:00', 'adjusted', 1e308 * 10, 1e308 * 10, 'x')",
                [id],
            )?;
            conn.execute(
                "INSERT INTO package_history (package_id, revision, at, kind, quantity, change, by)
                 VALUES (?1, 100, '2026-01-01T00:00:00+00:00', 'adjusted', 'not a number', 1, 'x')",
                [id],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let answer = call(&state, viewer.sign(get(&format!("/api/packages/{id}/history")), false)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer.body));
    let changes: Vec<PackageChange> = answer.json();
    assert!(changes.iter().any(|c| c.quantity == 4.0), "the good rows are still there");
    assert!(changes.iter().all(|c| c.change.is_finite() && c.revision < 99));
}
