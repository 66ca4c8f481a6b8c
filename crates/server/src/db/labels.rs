//! Labels awaiting approval: queries, requests and decisions.

use budtags_wire::{Label, LabelStatus};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params, types::Type};

const SELECT: &str = "SELECT l.id, l.organization_id, p.license_number, l.package_id, p.label, i.name,
        l.quantity, i.unit_abbr, l.copies, l.requested_by, l.requested_at, l.status,
        l.decided_by, l.decided_at, l.reason, l.revision
    FROM labels l JOIN packages p ON p.id = l.package_id JOIN items i ON i.id = p.item_id";

fn from_row(row: &Row) -> rusqlite::Result<Label> {
    let status: String = row.get(11)?;
    let status = status
        .parse::<LabelStatus>()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(11, Type::Text, e.into()))?;
    Ok(Label {
        id: row.get(0)?,
        organization_id: row.get(1)?,
        license_number: row.get(2)?,
        package_id: row.get(3)?,
        package_label: row.get(4)?,
        product_name: row.get(5)?,
        quantity: row.get(6)?,
        unit_of_measure_abbreviation: row.get(7)?,
        copies: row.get(8)?,
        requested_by: row.get(9)?,
        requested_at: row.get(10)?,
        status,
        decided_by: row.get(12)?,
        decided_at: row.get(13)?,
        reason: row.get(14)?,
        revision: row.get(15)?,
    })
}

/// An organization's labels in one status, oldest request first.
pub fn list(conn: &Connection, organization_id: i64, status: LabelStatus) -> rusqlite::Result<Vec<Label>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE l.organization_id = ?1 AND l.status = ?2 ORDER BY l.requested_at, l.id"
    ))?;
    stmt.query_map(params![organization_id, status.as_str()], from_row)?.collect()
}

pub fn find(conn: &Connection, id: i64) -> rusqlite::Result<Option<Label>> {
    conn.query_row(&format!("{SELECT} WHERE l.id = ?1"), [id], from_row).optional()
}

/// A decision on a pending label.
pub struct Decision<'a> {
    pub status: LabelStatus,
    pub by: &'a str,
    pub reason: Option<&'a str>,
}

/// Records a decision if the label is still pending; `None` when it is not
/// (or does not exist).
pub fn decide(tx: &Transaction, id: i64, decision: &Decision, now: &str) -> rusqlite::Result<Option<Label>> {
    let changed = tx.execute(
        "UPDATE labels SET status = ?2, decided_by = ?3, decided_at = ?4, reason = ?5,
            revision = revision + 1
         WHERE id = ?1 AND status = 'pending'",
        params![id, decision.status.as_str(), decision.by, now, decision.reason],
    )?;
    if changed == 0 { Ok(None) } else { find(tx, id) }
}

/// A new label request.
pub struct Request<'a> {
    pub organization_id: i64,
    pub package_id: i64,
    pub quantity: f64,
    pub copies: u32,
    pub by: &'a str,
}

pub fn request(tx: &Transaction, request: &Request, now: &str) -> rusqlite::Result<Label> {
    tx.execute(
        "INSERT INTO labels (organization_id, package_id, quantity, copies, requested_by, requested_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            request.organization_id,
            request.package_id,
            request.quantity,
            request.copies,
            request.by,
            now
        ],
    )?;
    let id = tx.last_insert_rowid();
    find(tx, id).map(|label| label.expect("label inserted in this transaction"))
}
