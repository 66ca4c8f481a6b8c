//! Which organization owns a thing a realtime channel is about: a license, an
//! incoming transfer (its recipient license's organization) or a label job.
//! `None` when the thing does not exist.

use rusqlite::{Connection, OptionalExtension};

pub fn license_organization(conn: &Connection, license: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT organization_id FROM licenses WHERE license_number = ?1", [license], |r| r.get(0))
        .optional()
}

pub fn transfer_organization(conn: &Connection, transfer_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT l.organization_id FROM transfers t
         JOIN licenses l ON l.license_number = t.recipient_facility_license_number
         WHERE t.id = ?1",
        [transfer_id],
        |r| r.get(0),
    )
    .optional()
}

pub fn job_organization(conn: &Connection, job_id: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT organization_id FROM jobs WHERE id = ?1", [job_id], |r| r.get(0)).optional()
}
