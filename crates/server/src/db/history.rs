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
/// A row that cannot be read, or holds a number JSON cannot carry (an
/// infinite change from before quantities were bounded), is logged and left
/// out: one bad row must not make the whole history unreadable.
pub fn list(conn: &Connection, package_id: i64) -> rusqlite::Result<Vec<PackageChange>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, revision, at, kind, quantity, change, by FROM package_history
         WHERE package_id = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![package_id, HISTORY_LIMIT as i64], |r| {
        let id: i64 = r.get(0)?;
        let change = (|| {
            Ok::<_, rusqlite::Error>(PackageChange {
                revision: r.get(1)?,
                at: r.get(2)?,
                kind: r.get(3)?,
                quantity: r.get(4)?,
                change: r.get(5)?,
                by: r.get(6)?,
            })
        })();
        Ok((id, change))
    })?;
    let mut changes = Vec::new();
    for row in rows {
        match row? {
            (_, Ok(change)) if change.quantity.is_finite() && change.change.is_finite() => {
                changes.push(change)
            }
            (id, Ok(_)) => tracing::warn!(package_id, id, "skipping a history row with a non-finite number"),
            (id, Err(e)) => tracing::warn!(package_id, id, error = %e, "skipping an unreadable history row"),
        }
    }
    Ok(changes)
}
