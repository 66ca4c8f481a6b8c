//! Package history: one row per change (`GET /api/packages/{id}/history`).

use budtags_wire::PackageChange;
use rusqlite::{Connection, Transaction, params};

/// At most this many changes are listed.
pub const HISTORY_LIMIT: usize = 100;

/// Records one change of a package.
pub fn record(tx: &Transaction, package_id: i64, change: &PackageChange) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO package_history (package_id, revision, at, kind, quantity, change, by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            package_id,
            change.revision,
            change.at,
            change.kind,
            change.quantity,
            change.change,
            change.by
        ],
    )?;
    Ok(())
}

/// A package's recorded changes, newest first, at most [`HISTORY_LIMIT`].
pub fn list(conn: &Connection, package_id: i64) -> rusqlite::Result<Vec<PackageChange>> {
    let mut stmt = conn.prepare_cached(
        "SELECT revision, at, kind, quantity, change, by FROM package_history
         WHERE package_id = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    stmt.query_map(params![package_id, HISTORY_LIMIT as i64], |r| {
        Ok(PackageChange {
            revision: r.get(0)?,
            at: r.get(1)?,
            kind: r.get(2)?,
            quantity: r.get(3)?,
            change: r.get(4)?,
            by: r.get(5)?,
        })
    })?
    .collect()
}
