//! Package endpoints:
//! - `GET /api/licenses/{license}/packages?filter=active|inactive`: the list, with an ETag;
//!   `If-None-Match` answers 304.
//! - `GET /api/packages/{id}`: one package.
//! - `PATCH /api/packages/{id}` with `{"Quantity": n}`: adjust a quantity (0 finishes it).

use axum::{
    Json, Router,
    extract::{
        Path, Query, State,
        rejection::{JsonRejection, QueryRejection},
    },
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use budtags_wire::{Package, PackageFilter, PackageList, RealtimeEvent};
use serde::Deserialize;

use crate::{
    AppState, db,
    error::{Error, Result},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/licenses/{license}/packages", get(list))
        .route("/packages/{id}", get(show).patch(update))
}

#[derive(Deserialize)]
struct ListQuery {
    filter: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    Path(license): Path<String>,
    query: Result<Query<ListQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response> {
    let Query(query) = query.map_err(|e| Error::BadRequest(e.body_text()))?;
    let filter = match query.filter.as_deref() {
        None => PackageFilter::Active,
        Some(text) => text
            .parse()
            .map_err(|e: budtags_wire::package::UnknownFilter| Error::BadRequest(e.to_string()))?,
    };
    let if_none_match = headers.get(header::IF_NONE_MATCH).cloned();
    state
        .store
        .call(move |conn| {
            if db::licenses::find(conn, &license)?.is_none() {
                return Err(Error::NotFound(format!("No license {license}.")));
            }
            let (revision, count) = db::packages::list_version(conn, &license, filter)?;
            let etag = HeaderValue::from_str(&format!("W/\"{license}-{filter}-{revision}-{count}\""))
                .map_err(|_| Error::BadRequest("License numbers are letters, digits and dashes.".into()))?;
            if if_none_match.as_ref() == Some(&etag) {
                return Ok((StatusCode::NOT_MODIFIED, cache_headers(etag)).into_response());
            }
            let revision = db::packages::current_revision(conn)?;
            let data = db::packages::list(conn, &license, filter)?;
            let body = PackageList { total: data.len(), data, revision };
            Ok((cache_headers(etag), Json(body)).into_response())
        })
        .await
}

/// Conditional requests only: the app revalidates every time it asks.
fn cache_headers(etag: HeaderValue) -> [(header::HeaderName, HeaderValue); 2] {
    [(header::ETAG, etag), (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))]
}

async fn show(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Package>> {
    let row = state.store.call(move |conn| Ok(db::packages::find(conn, id)?)).await?;
    row.map(|r| Json(r.package)).ok_or_else(|| Error::NotFound(format!("No package {id}.")))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct QuantityChange {
    quantity: f64,
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Result<Json<QuantityChange>, JsonRejection>,
) -> Result<Json<Package>> {
    let Json(change) = body.map_err(|e| Error::BadRequest(e.body_text()))?;
    if !change.quantity.is_finite() || change.quantity < 0.0 {
        return Err(Error::BadRequest("Quantity must be a number of zero or more.".into()));
    }
    let package = state
        .events
        .change(move |tx, now| {
            let before = db::packages::find(tx, id)?
                .ok_or_else(|| Error::NotFound(format!("No package {id}.")))?
                .package
                .quantity;
            let row = db::packages::set_quantity(tx, id, change.quantity, now)?
                .ok_or_else(|| Error::NotFound(format!("No package {id}.")))?;
            let events = package_events(tx, &row, change.quantity - before)?;
            Ok((row.package, events))
        })
        .await?;
    Ok(Json(package))
}

/// The events of a changed package: the whole new row on its license's
/// channel, and the quantity delta on its organization's inventory channel.
pub fn package_events(
    tx: &rusqlite::Transaction,
    row: &db::packages::LicensedPackage,
    change: f64,
) -> Result<Vec<RealtimeEvent>> {
    let license = db::licenses::find(tx, &row.license)?
        .ok_or_else(|| Error::NotFound(format!("No license {}.", row.license)))?;
    Ok(vec![
        RealtimeEvent::PackageUpdate {
            license: row.license.clone(),
            package_id: row.package.id,
            data: Box::new(row.package.clone()),
        },
        RealtimeEvent::InventoryUpdated {
            organization_id: license.organization_id,
            license: row.license.clone(),
            package_id: row.package.id,
            change: (change * 100.0).round() / 100.0,
        },
    ])
}
