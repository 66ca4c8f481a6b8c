//! Incoming transfers and check-in, scoped to the signed-in organization:
//! - `GET /api/licenses/{license}/transfers/incoming`: newest first.
//! - `GET /api/transfers/{id}`: the transfer and its packages.
//! - `POST /api/transfers/{id}/check-in` with [`CheckIn`]: operators and approvers.
//!
//! A check-in is one transaction: the package is accepted, the transfer
//! recounted (and received once every package is in), the package joins the
//! recipient license's inventory, and the events follow: `PackageCheckedIn`,
//! the inventory package's events, then `TransferCompleted` when it is complete.
//! The same idempotency key again answers the first result with `duplicate: true`.
//! Keys are per transfer: the same key on another organization's transfer is
//! another scan, and another organization's transfer is a 404 like an unknown one.

use axum::{
    Router,
    extract::State,
    routing::{get, post},
};
use budtags_wire::{CheckIn, CheckInResult, RealtimeEvent, ShipmentPackageState, Transfer, TransferDetail};

use crate::{
    AppState,
    auth::{CurrentUser, Operator},
    db::{
        self,
        packages::NewPackage,
        transfers::{Receipt, ShippedPackage},
    },
    error::{Error, Result},
    extract::{Json, Path},
    packages::{record_change, valid_quantity},
};

/// Where received packages are put in the recipient's inventory.
pub const RECEIVING_LOCATION: &str = "Receiving";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/licenses/{license}/transfers/incoming", get(incoming))
        .route("/transfers/{id}", get(show))
        .route("/transfers/{id}/check-in", post(check_in))
}

async fn incoming(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(license): Path<String>,
) -> Result<Json<Vec<Transfer>>> {
    let organization_id = user.account.organization_id;
    let transfers = state
        .store
        .call(move |conn| {
            if db::licenses::find_owned(conn, &license, organization_id)?.is_none() {
                return Err(Error::NotFound(format!("No license {license}.")));
            }
            Ok(db::transfers::incoming(conn, &license)?)
        })
        .await?;
    Ok(Json(transfers))
}

/// Transfer `id` if it is to one of `organization_id`'s licenses; 404 otherwise.
fn owned_transfer(conn: &rusqlite::Connection, id: i64, organization_id: i64) -> Result<Transfer> {
    let missing = || Error::NotFound(format!("No transfer {id}."));
    let transfer = db::transfers::find(conn, id)?.ok_or_else(missing)?;
    match db::ownership::transfer_organization(conn, id)? {
        Some(owner) if owner == organization_id => Ok(transfer),
        _ => Err(missing()),
    }
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<TransferDetail>> {
    let organization_id = user.account.organization_id;
    let detail = state
        .store
        .call(move |conn| {
            let transfer = owned_transfer(conn, id, organization_id)?;
            Ok(TransferDetail { transfer, packages: db::transfers::packages(conn, id)? })
        })
        .await?;
    Ok(Json(detail))
}

/// A check-in whose fields passed validation.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidCheckIn {
    pub label: String,
    pub received_quantity: Option<f64>,
    pub idempotency_key: String,
}

/// Checks a check-in's fields: the tag trimmed and upper-cased must be 24
/// characters of `0-9A-Z`; a received quantity from 0 to
/// [`crate::packages::MAX_QUANTITY`]; a key of 1–100
/// printable characters. Field errors name the request's fields.
pub fn validate(check_in: CheckIn) -> Result<ValidCheckIn> {
    let label = check_in.label.trim().to_ascii_uppercase();
    if label.len() != 24 || !label.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()) {
        let shown = if label.is_empty() { "Nothing was scanned".to_owned() } else { format!("{label:?}") };
        return Err(Error::field(
            "label",
            format!("{shown} is not a package tag: tags are 24 letters and digits."),
        ));
    }
    if let Some(quantity) = check_in.received_quantity
        && !valid_quantity(quantity)
    {
        return Err(Error::field(
            "receivedQuantity",
            "The received quantity must be a number from 0 to 1,000,000,000.",
        ));
    }
    let key = check_in.idempotency_key;
    if key.is_empty() || key.chars().count() > 100 || key.chars().any(|c| c.is_control()) {
        return Err(Error::field(
            "idempotencyKey",
            "The idempotency key must be 1–100 printable characters.",
        ));
    }
    Ok(ValidCheckIn { label, received_quantity: check_in.received_quantity, idempotency_key: key })
}

async fn check_in(
    State(state): State<AppState>,
    Operator(user): Operator,
    Path(id): Path<i64>,
    Json(body): Json<CheckIn>,
) -> Result<Json<CheckInResult>> {
    let scan = validate(body)?;
    let organization_id = user.account.organization_id;
    let by = user.account.name.clone();
    let result = state
        .events
        .change(move |tx, now| {
            let transfer = owned_transfer(tx, id, organization_id)?;
            // Only this transfer's keys: another organization's scans are neither seen nor blocked.
            if let Some(earlier) = db::transfers::by_idempotency_key(tx, id, &scan.idempotency_key)? {
                if earlier.package.package_label == scan.label {
                    let result = CheckInResult { package: earlier.package, transfer, duplicate: true };
                    return Ok((result, Vec::new()));
                }
                return Err(Error::Conflict(
                    "This scan's idempotency key was already used for another package.".into(),
                ));
            }
            let shipped = db::transfers::on_transfer(tx, id, &scan.label)?.ok_or_else(|| {
                Error::NotFound(format!(
                    "Package {} is not on manifest {}.",
                    scan.label, transfer.manifest_number
                ))
            })?;
            if shipped.package.shipment_package_state != ShipmentPackageState::Shipped {
                let who = shipped.package.checked_in_by.as_deref().unwrap_or("someone");
                let when = shipped.package.checked_in_at.as_deref().unwrap_or("an earlier time");
                return Err(Error::Conflict(format!(
                    "{} was already checked in by {who} at {when}.",
                    scan.label
                )));
            }
            let receipt = Receipt {
                received_quantity: scan.received_quantity.unwrap_or(shipped.package.shipped_quantity),
                by: &by,
                idempotency_key: &scan.idempotency_key,
            };
            let transfer = db::transfers::check_in(tx, &shipped, &receipt, now)?;
            let package = db::transfers::on_transfer(tx, id, &scan.label)?
                .expect("the package just checked in is on the transfer")
                .package;
            let mut events = vec![RealtimeEvent::PackageCheckedIn {
                transfer_id: id,
                package_id: package.package_id,
                label: scan.label.clone(),
                checked_in_by: by.clone(),
            }];
            events.extend(into_inventory(tx, &transfer, &shipped, receipt.received_quantity, &by, now)?);
            if !transfer.is_pending() {
                events.push(RealtimeEvent::TransferCompleted { transfer_id: id });
            }
            Ok((CheckInResult { package, transfer, duplicate: false }, events))
        })
        .await?;
    Ok(Json(result))
}

/// Puts a received package into the recipient license's inventory, unless a
/// package with that tag is already there. Returns its events.
fn into_inventory(
    tx: &rusqlite::Transaction,
    transfer: &Transfer,
    shipped: &ShippedPackage,
    quantity: f64,
    by: &str,
    now: &str,
) -> Result<Vec<RealtimeEvent>> {
    if db::transfers::inventory_package_id(tx, &shipped.package.package_label)?.is_some() {
        return Ok(Vec::new());
    }
    let new = NewPackage {
        license: &transfer.recipient_facility_license_number,
        label: &shipped.package.package_label,
        item_id: shipped.item_id,
        location: RECEIVING_LOCATION,
        quantity,
    };
    let row = db::packages::create(tx, &new, now)?;
    record_change(tx, &row, quantity, "checked-in", by)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(label: &str, quantity: Option<f64>, key: &str) -> CheckIn {
        CheckIn { label: label.into(), received_quantity: quantity, idempotency_key: key.into() }
    }

    fn field_of(error: Error) -> String {
        match error {
            Error::Invalid { fields, .. } => fields.into_keys().next().unwrap(),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn a_typed_tag_is_trimmed_and_upper_cased() {
        let valid = validate(scan("  1a4f0e000000000000000001 \n", None, "k")).unwrap();
        assert_eq!(valid.label, "1A4F0E000000000000000001");
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(field_of(validate(scan("1A4-short", None, "k")).unwrap_err()), "label");
        assert_eq!(field_of(validate(scan("1A4F0E00000000000000000!", None, "k")).unwrap_err()), "label");
        assert_eq!(field_of(validate(scan("", None, "k")).unwrap_err()), "label");
        let tag = "1A4F0E000000000000000001";
        assert_eq!(field_of(validate(scan(tag, Some(-1.0), "k")).unwrap_err()), "receivedQuantity");
        assert_eq!(field_of(validate(scan(tag, Some(f64::NAN), "k")).unwrap_err()), "receivedQuantity");
        assert_eq!(field_of(validate(scan(tag, Some(1.7e308), "k")).unwrap_err()), "receivedQuantity");
        assert_eq!(field_of(validate(scan(tag, None, "")).unwrap_err()), "idempotencyKey");
        assert_eq!(field_of(validate(scan(tag, None, &"k".repeat(101))).unwrap_err()), "idempotencyKey");
        assert!(validate(scan(tag, Some(0.0), "transfer-4-TAG")).is_ok());
    }
}
