//! Package endpoints, all scoped to the signed-in organization (another
//! organization's license or package is a 404):
//! - `GET /api/licenses/{license}/packages?filter=active|inactive`: the list, with an ETag;
//!   `If-None-Match` answers 304. `&limit=N` (1–1,000): only the first N rows, with the
//!   whole list's `Total` and no ETag (what a page paints while the rest loads).
//! - `GET /api/packages/{id}`: one package.
//! - `GET /api/packages/{id}/history`: its changes, newest first.
//! - `PATCH /api/packages/{id}` with `{"Quantity": n}`: adjust a quantity (0 finishes it,
//!   more than 0 makes a finished package active again); operators and approvers, with CSRF.
//!
//! [`adjust_quantity`] makes the same change in process (tests, tools);
//! [`record_change`] is what every package change goes through: history row
//! plus events.

use std::sync::Arc;

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use budtags_wire::{Package, PackageChange, PackageFilter, PackageList, RealtimeEvent};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{CurrentUser, Operator},
    db::{self, packages::LicensedPackage},
    error::{Error, Result},
    extract::{Json, Path, Query},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/licenses/{license}/packages", get(list))
        .route("/packages/{id}", get(show).patch(update))
        .route("/packages/{id}/history", get(history))
}

/// Package `id` if `organization_id` holds it; 404 otherwise, whether it
/// belongs to someone else or does not exist.
pub fn owned_package(conn: &rusqlite::Connection, id: i64, organization_id: i64) -> Result<LicensedPackage> {
    let row = db::packages::find(conn, id)?.ok_or_else(|| no_package(id))?;
    match db::ownership::license_organization(conn, &row.license)? {
        Some(owner) if owner == organization_id => Ok(row),
        _ => Err(no_package(id)),
    }
}

fn no_package(id: i64) -> Error {
    Error::NotFound(format!("No package {id}."))
}

#[derive(Deserialize)]
struct ListQuery {
    filter: Option<String>,
    /// Only the first rows: what a page paints while the whole list is on its way.
    limit: Option<String>,
}

/// The most rows a `limit` may ask for.
const MAX_LIMIT: u32 = 1_000;

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(license): Path<String>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let filter = match query.filter.as_deref() {
        None => PackageFilter::Active,
        Some(text) => text
            .parse()
            .map_err(|e: budtags_wire::package::UnknownFilter| Error::BadRequest(e.to_string()))?,
    };
    let limit = match query.limit.as_deref() {
        None => None,
        Some(text) => {
            Some(text.parse::<u32>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                Error::BadRequest(format!(
                    "limit must be a whole number from 1 to {MAX_LIMIT}, not “{text}”."
                ))
            })?)
        }
    };
    let if_none_match = headers.get(header::IF_NONE_MATCH).cloned();
    let listed = state
        .store
        .call(move |conn| {
            if db::licenses::find_owned(conn, &license, user.account.organization_id)?.is_none() {
                return Err(Error::NotFound(format!("No license {license}.")));
            }
            let (revision, count) = db::packages::list_version(conn, &license, filter)?;
            let current = db::packages::current_revision(conn)?;
            let shared = |rows: Vec<Package>| rows.into_iter().map(Arc::new).collect();
            if let Some(limit) = limit {
                let data = db::packages::list_head(conn, &license, filter, Some(limit))?;
                return Ok(Listed::Head(PackageList {
                    data: shared(data),
                    total: count as usize,
                    revision: current,
                }));
            }
            let etag = HeaderValue::from_str(&format!("W/\"{license}-{filter}-{revision}-{count}\""))
                .map_err(|_| Error::BadRequest("License numbers are letters, digits and dashes.".into()))?;
            if if_none_match.as_ref() == Some(&etag) {
                return Ok(Listed::NotModified(etag));
            }
            let data: Vec<_> = shared(db::packages::list(conn, &license, filter)?);
            Ok(Listed::Whole(PackageList { total: data.len(), data, revision: current }, etag))
        })
        .await?;
    // Serialized here, not on the database thread: a 5 MB list must not hold
    // up the requests queued behind it.
    Ok(match listed {
        // Part of a list: never cached, never a 304, no validator.
        Listed::Head(body) => {
            ([(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(body)).into_response()
        }
        Listed::NotModified(etag) => (StatusCode::NOT_MODIFIED, cache_headers(etag)).into_response(),
        Listed::Whole(body, etag) => (cache_headers(etag), Json(body)).into_response(),
    })
}

/// What the database thread found for a list request.
enum Listed {
    Head(PackageList),
    NotModified(HeaderValue),
    Whole(PackageList, HeaderValue),
}

/// Conditional requests only: the app revalidates every time it asks.
fn cache_headers(etag: HeaderValue) -> [(header::HeaderName, HeaderValue); 2] {
    [(header::ETAG, etag), (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))]
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Package>> {
    let organization_id = user.account.organization_id;
    let row = state.store.call(move |conn| owned_package(conn, id, organization_id)).await?;
    Ok(Json(row.package))
}

async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<PackageChange>>> {
    let organization_id = user.account.organization_id;
    let changes = state
        .store
        .call(move |conn| {
            let row = owned_package(conn, id, organization_id)?;
            let mut changes = db::history::list(conn, id)?;
            // Packages from the demo data were made before history was kept:
            // their creation is known from the row itself.
            if changes.len() < db::history::HISTORY_LIMIT && !changes.iter().any(|c| c.kind == "created") {
                changes.push(PackageChange {
                    revision: 0,
                    at: format!("{}T00:00:00+00:00", row.package.packaged_date),
                    kind: "created".into(),
                    quantity: row.package.original_package_quantity,
                    change: 0.0,
                    by: "Metrc".into(),
                });
            }
            Ok(changes)
        })
        .await?;
    Ok(Json(changes))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct QuantityChange {
    quantity: f64,
}

async fn update(
    State(state): State<AppState>,
    Operator(user): Operator,
    Path(id): Path<i64>,
    Json(change): Json<QuantityChange>,
) -> Result<Json<Package>> {
    let organization_id = user.account.organization_id;
    let by = user.account.name.clone();
    let package = change_quantity(&state, id, change.quantity, by, Some(organization_id)).await?;
    Ok(Json(package))
}

/// The largest quantity a package may hold. Far above any real package, and
/// far enough below `f64::MAX` that a change (new − old) stays finite:
/// 1.7e308 made the change infinite, sent as `null`, after which the
/// package's history could no longer be read.
pub const MAX_QUANTITY: f64 = 1e9;

/// What a field error says about a quantity out of range.
pub const QUANTITY_RANGE: &str = "Quantity must be a number from 0 to 1,000,000,000.";

/// Whether a package may hold `quantity`: a number from 0 to [`MAX_QUANTITY`]
/// (not NaN, not infinite).
pub fn valid_quantity(quantity: f64) -> bool {
    (0.0..=MAX_QUANTITY).contains(&quantity)
}

/// Sets package `id`'s quantity in process, as `PATCH /api/packages/{id}`
/// does (history, events, a quantity above 0 makes a finished package
/// active again), without a session: for tests and tools.
pub async fn adjust_quantity(state: &AppState, id: i64, quantity: f64, by: &str) -> Result<Package> {
    change_quantity(state, id, quantity, by.to_owned(), None).await
}

async fn change_quantity(
    state: &AppState,
    id: i64,
    quantity: f64,
    by: String,
    organization_id: Option<i64>,
) -> Result<Package> {
    if !valid_quantity(quantity) {
        return Err(Error::field("Quantity", QUANTITY_RANGE));
    }
    state
        .events
        .change(move |tx, now| {
            let before = match organization_id {
                Some(org) => owned_package(tx, id, org)?,
                None => db::packages::find(tx, id)?.ok_or_else(|| no_package(id))?,
            }
            .package;
            let row = db::packages::set_quantity(tx, id, quantity, now)?.ok_or_else(|| no_package(id))?;
            let kind = match (before.is_finished, row.package.is_finished) {
                (false, true) => "finished",
                (true, false) => "restored",
                _ => "adjusted",
            };
            let events = record_change(tx, &row, quantity - before.quantity, kind, &by)?;
            Ok((row.package, events))
        })
        .await
}

/// Records a change of a package in its history and returns its events.
/// `kind`: `created`, `adjusted`, `finished`, `restored`, `checked-in`.
pub fn record_change(
    tx: &rusqlite::Transaction,
    row: &LicensedPackage,
    change: f64,
    kind: &str,
    by: &str,
) -> Result<Vec<RealtimeEvent>> {
    let change = (change * 100.0).round() / 100.0;
    db::history::record(
        tx,
        row.package.id,
        &PackageChange {
            revision: row.package.revision,
            at: row.package.last_modified.clone(),
            kind: kind.to_owned(),
            quantity: row.package.quantity,
            change,
            by: by.to_owned(),
        },
    )?;
    package_events(tx, row, change)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_finite_and_in_range() {
        for good in [0.0, 0.5, 12.0, MAX_QUANTITY] {
            assert!(valid_quantity(good), "{good}");
        }
        for bad in [-0.01, MAX_QUANTITY * 1.01, 1.7e308, f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
            assert!(!valid_quantity(bad), "{bad}");
        }
    }
}
