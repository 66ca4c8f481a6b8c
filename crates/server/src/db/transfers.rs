//! Incoming transfers and the packages on them: queries and the check-in write.

use budtags_wire::{ShipmentPackageState, Transfer, TransferPackage};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params, types::Type};

const SELECT_TRANSFER: &str = "SELECT id, manifest_number, shipper_facility_license_number,
        shipper_facility_name, recipient_facility_license_number, package_count,
        received_package_count, created_date_time, estimated_arrival_date_time,
        received_date_time, last_modified
    FROM transfers";

fn transfer(row: &Row) -> rusqlite::Result<Transfer> {
    Ok(Transfer {
        id: row.get(0)?,
        manifest_number: row.get(1)?,
        shipper_facility_license_number: row.get(2)?,
        shipper_facility_name: row.get(3)?,
        recipient_facility_license_number: row.get(4)?,
        package_count: row.get(5)?,
        received_package_count: row.get(6)?,
        created_date_time: row.get(7)?,
        estimated_arrival_date_time: row.get(8)?,
        received_date_time: row.get(9)?,
        last_modified: row.get(10)?,
    })
}

/// The transfers to `license`, newest first.
pub fn incoming(conn: &Connection, license: &str) -> rusqlite::Result<Vec<Transfer>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_TRANSFER} WHERE recipient_facility_license_number = ?1
         ORDER BY created_date_time DESC, id DESC"
    ))?;
    stmt.query_map([license], transfer)?.collect()
}

pub fn find(conn: &Connection, id: i64) -> rusqlite::Result<Option<Transfer>> {
    conn.query_row(&format!("{SELECT_TRANSFER} WHERE id = ?1"), [id], transfer).optional()
}

const SELECT_PACKAGE: &str = "SELECT tp.id, tp.label, i.name, tp.shipped_quantity, i.unit_abbr,
        tp.received_quantity, tp.state, tp.checked_in_by, tp.checked_in_at,
        tp.transfer_id, tp.idempotency_key, tp.item_id
    FROM transfer_packages tp JOIN items i ON i.id = tp.item_id";

/// A package on a transfer, with what the check-in needs besides the wire shape.
#[derive(Clone, Debug)]
pub struct ShippedPackage {
    pub transfer_id: i64,
    pub item_id: i64,
    pub idempotency_key: Option<String>,
    pub package: TransferPackage,
}

pub fn state_name(state: ShipmentPackageState) -> &'static str {
    match state {
        ShipmentPackageState::Shipped => "Shipped",
        ShipmentPackageState::Rejected => "Rejected",
        ShipmentPackageState::Accepted => "Accepted",
        ShipmentPackageState::Returned => "Returned",
    }
}

fn parse_state(text: &str) -> Option<ShipmentPackageState> {
    use ShipmentPackageState::*;
    [Shipped, Rejected, Accepted, Returned].into_iter().find(|s| state_name(*s) == text)
}

fn shipped(row: &Row) -> rusqlite::Result<ShippedPackage> {
    let state: String = row.get(6)?;
    let state = parse_state(&state).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(6, Type::Text, format!("unknown state {state:?}").into())
    })?;
    Ok(ShippedPackage {
        transfer_id: row.get(9)?,
        idempotency_key: row.get(10)?,
        item_id: row.get(11)?,
        package: TransferPackage {
            package_id: row.get(0)?,
            package_label: row.get(1)?,
            product_name: row.get(2)?,
            shipped_quantity: row.get(3)?,
            unit_of_measure_abbreviation: row.get(4)?,
            received_quantity: row.get(5)?,
            shipment_package_state: state,
            checked_in_by: row.get(7)?,
            checked_in_at: row.get(8)?,
        },
    })
}

/// The packages on transfer `id`, in manifest order.
pub fn packages(conn: &Connection, transfer_id: i64) -> rusqlite::Result<Vec<TransferPackage>> {
    let mut stmt =
        conn.prepare_cached(&format!("{SELECT_PACKAGE} WHERE tp.transfer_id = ?1 ORDER BY tp.id"))?;
    stmt.query_map([transfer_id], |r| shipped(r).map(|s| s.package))?.collect()
}

/// The package with tag `label` on transfer `transfer_id`, if it is on it.
pub fn on_transfer(
    conn: &Connection,
    transfer_id: i64,
    label: &str,
) -> rusqlite::Result<Option<ShippedPackage>> {
    conn.query_row(
        &format!("{SELECT_PACKAGE} WHERE tp.transfer_id = ?1 AND tp.label = ?2"),
        params![transfer_id, label],
        shipped,
    )
    .optional()
}

/// The package an idempotency key checked in on this transfer, if any. Keys
/// are per transfer: another transfer's (another organization's) keys are
/// never seen.
pub fn by_idempotency_key(
    conn: &Connection,
    transfer_id: i64,
    key: &str,
) -> rusqlite::Result<Option<ShippedPackage>> {
    conn.query_row(
        &format!("{SELECT_PACKAGE} WHERE tp.transfer_id = ?1 AND tp.idempotency_key = ?2"),
        params![transfer_id, key],
        shipped,
    )
    .optional()
}

/// What a check-in writes.
pub struct Receipt<'a> {
    pub received_quantity: f64,
    pub by: &'a str,
    pub idempotency_key: &'a str,
}

/// Marks a shipped package accepted and recounts its transfer; the transfer
/// is received once every package is in. Returns the transfer afterwards.
pub fn check_in(
    tx: &Transaction,
    package: &ShippedPackage,
    receipt: &Receipt,
    now: &str,
) -> rusqlite::Result<Transfer> {
    tx.execute(
        "UPDATE transfer_packages SET state = 'Accepted', received_quantity = ?2, checked_in_by = ?3,
            checked_in_at = ?4, idempotency_key = ?5
         WHERE id = ?1 AND state = 'Shipped'",
        params![
            package.package.package_id,
            receipt.received_quantity,
            receipt.by,
            now,
            receipt.idempotency_key
        ],
    )?;
    tx.execute(
        "UPDATE transfers SET
            received_package_count = (SELECT COUNT(*) FROM transfer_packages
                                      WHERE transfer_id = transfers.id AND state <> 'Shipped'),
            last_modified = ?2
         WHERE id = ?1",
        params![package.transfer_id, now],
    )?;
    tx.execute(
        "UPDATE transfers SET received_date_time = ?2
         WHERE id = ?1 AND received_date_time IS NULL AND received_package_count >= package_count",
        params![package.transfer_id, now],
    )?;
    Ok(find(tx, package.transfer_id)?.expect("the transfer of a package on it exists"))
}

/// The package with this tag in a license's inventory, if any.
pub fn inventory_package_id(conn: &Connection, label: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT id FROM packages WHERE label = ?1", [label], |r| r.get(0)).optional()
}
