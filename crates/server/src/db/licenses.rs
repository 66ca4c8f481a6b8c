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

/// The licenses of one organization.
pub fn of_organization(conn: &Connection, organization_id: i64) -> rusqlite::Result<Vec<License>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE o.id = ?1 ORDER BY l.license_number"))?;
    stmt.query_map([organization_id], from_row)?.collect()
}

/// The license `number` if `organization_id` holds it: another
/// organization's license is as unknown as a missing one.
pub fn find_owned(
    conn: &Connection,
    number: &str,
    organization_id: i64,
) -> rusqlite::Result<Option<License>> {
    Ok(find(conn, number)?.filter(|license| license.organization_id == organization_id))
}

pub fn find(conn: &Connection, number: &str) -> rusqlite::Result<Option<License>> {
    conn.query_row(&format!("{SELECT} WHERE l.license_number = ?1"), [number], from_row).optional()
}
