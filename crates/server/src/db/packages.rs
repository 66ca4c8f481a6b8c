//! Package queries and the mutations the API and the simulator make.

use budtags_wire::{Item, Package, PackageFilter};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

const SELECT: &str = "SELECT p.id, p.label, p.package_type, p.location_name, p.quantity,
        p.original_quantity, i.unit_name, i.unit_abbr, p.packaged_date, p.last_modified,
        p.finished_date, p.lab_testing_state, p.is_on_hold, p.revision,
        i.id, i.name, i.category, i.strain, p.license_number
    FROM packages p JOIN items i ON i.id = p.item_id";

/// A package and the license that holds it.
pub struct LicensedPackage {
    pub license: String,
    pub package: Package,
}

fn from_row(row: &Row) -> rusqlite::Result<Package> {
    let finished_date: Option<String> = row.get(10)?;
    Ok(Package {
        id: row.get(0)?,
        label: row.get(1)?,
        package_type: row.get(2)?,
        location_name: row.get(3)?,
        quantity: row.get(4)?,
        original_package_quantity: row.get(5)?,
        unit_of_measure_name: row.get(6)?,
        unit_of_measure_abbreviation: row.get(7)?,
        packaged_date: row.get(8)?,
        last_modified: row.get(9)?,
        is_finished: finished_date.is_some(),
        finished_date,
        lab_testing_state: row.get(11)?,
        is_on_hold: row.get(12)?,
        revision: row.get(13)?,
        item: Item {
            id: row.get(14)?,
            name: row.get(15)?,
            product_category_name: row.get(16)?,
            strain_name: row.get(17)?,
        },
    })
}

fn filter_clause(filter: PackageFilter) -> &'static str {
    match filter {
        PackageFilter::Active => "p.finished_date IS NULL",
        PackageFilter::Inactive => "p.finished_date IS NOT NULL",
    }
}

/// The packages of one license in one list, newest change first.
pub fn list(conn: &Connection, license: &str, filter: PackageFilter) -> rusqlite::Result<Vec<Package>> {
    list_head(conn, license, filter, None)
}

/// The first `limit` rows of [`list`] (all of them with `None`), in the same order.
pub fn list_head(
    conn: &Connection,
    license: &str,
    filter: PackageFilter,
    limit: Option<u32>,
) -> rusqlite::Result<Vec<Package>> {
    let sql = format!(
        "{SELECT} WHERE p.license_number = ?1 AND {} ORDER BY p.last_modified DESC, p.id DESC LIMIT ?2",
        filter_clause(filter)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    // SQLite reads a negative LIMIT as none.
    stmt.query_map(rusqlite::params![license, limit.map_or(-1, i64::from)], from_row)?.collect()
}

/// What identifies one version of a list: its highest revision and its size.
/// A change to any row, or a row joining or leaving the list, changes it.
pub fn list_version(conn: &Connection, license: &str, filter: PackageFilter) -> rusqlite::Result<(u64, u64)> {
    let sql = format!(
        "SELECT COALESCE(MAX(p.revision), 0), COUNT(*) FROM packages p
         WHERE p.license_number = ?1 AND {}",
        filter_clause(filter)
    );
    conn.prepare_cached(&sql)?.query_row([license], |r| Ok((r.get(0)?, r.get(1)?)))
}

pub fn find(conn: &Connection, id: i64) -> rusqlite::Result<Option<LicensedPackage>> {
    conn.query_row(&format!("{SELECT} WHERE p.id = ?1"), [id], |row| {
        Ok(LicensedPackage { license: row.get(18)?, package: from_row(row)? })
    })
    .optional()
}

/// The server-wide revision now: every later change gets a higher one.
pub fn current_revision(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT value FROM revision", [], |r| r.get(0))
}

/// Takes the next server-wide revision.
fn next_revision(tx: &Transaction) -> rusqlite::Result<u64> {
    tx.query_row("UPDATE revision SET value = value + 1 RETURNING value", [], |r| r.get(0))
}

/// Sets a package's quantity; a quantity of zero finishes it, and more than
/// zero makes a finished package active again.
pub fn set_quantity(
    tx: &Transaction,
    id: i64,
    quantity: f64,
    now: &str,
) -> rusqlite::Result<Option<LicensedPackage>> {
    let revision = next_revision(tx)?;
    let today = &now[..10];
    let changed = tx.execute(
        "UPDATE packages SET quantity = ?2, last_modified = ?3, revision = ?4,
            finished_date = CASE WHEN ?2 = 0 THEN COALESCE(finished_date, ?5) ELSE NULL END
         WHERE id = ?1",
        params![id, quantity, now, revision, today],
    )?;
    if changed == 0 { Ok(None) } else { find(tx, id) }
}

/// Marks a package finished.
pub fn finish(tx: &Transaction, id: i64, now: &str) -> rusqlite::Result<Option<LicensedPackage>> {
    let revision = next_revision(tx)?;
    let changed = tx.execute(
        "UPDATE packages SET finished_date = ?2, last_modified = ?3, revision = ?4
         WHERE id = ?1 AND finished_date IS NULL",
        params![id, &now[..10], now, revision],
    )?;
    if changed == 0 { Ok(None) } else { find(tx, id) }
}

/// A new package for `license`, repackaged from an item in the catalogue.
pub struct NewPackage<'a> {
    pub license: &'a str,
    pub label: &'a str,
    pub item_id: i64,
    pub location: &'a str,
    pub quantity: f64,
}

pub fn create(tx: &Transaction, new: &NewPackage, now: &str) -> rusqlite::Result<LicensedPackage> {
    let revision = next_revision(tx)?;
    let package_type: String = tx.query_row(
        "SELECT CASE category WHEN 'Immature Plants' THEN 'ImmaturePlant' ELSE 'Product' END
         FROM items WHERE id = ?1",
        [new.item_id],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO packages (license_number, label, package_type, item_id, location_name,
            quantity, original_quantity, packaged_date, last_modified, lab_testing_state, revision)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, 'NotSubmitted', ?9)",
        params![
            new.license,
            new.label,
            package_type,
            new.item_id,
            new.location,
            new.quantity,
            &now[..10],
            now,
            revision
        ],
    )?;
    let id = tx.last_insert_rowid();
    find(tx, id).map(|row| row.expect("row inserted in this transaction"))
}
