//! License queries.

use budtags_wire::License;
use rusqlite::{Connection, OptionalExtension, Row};

const SELECT: &str = "SELECT l.license_number, l.facility_name, o.id, o.name
    FROM licenses l JOIN organizations o ON o.id = l.organization_id";

fn from_row(row: &Row) -> rusqlite::Result<License> {
    Ok(License {
        license_number: row.get(0)?,
        facility_name: row.get(1)?,
        organization_id: row.get(2)?,
        organization_name: row.get(3)?,
    })
}

pub fn all(conn: &Connection) -> rusqlite::Result<Vec<License>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY o.id, l.license_number"))?;
    stmt.query_map([], from_row)?.collect()
}

pub fn find(conn: &Connection, number: &str) -> rusqlite::Result<Option<License>> {
    conn.query_row(&format!("{SELECT} WHERE l.license_number = ?1"), [number], from_row).optional()
}
