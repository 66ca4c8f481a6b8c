//! SQLite: opening, migrations, demo data and the queries of each resource.
//!
//! One connection behind a mutex, used from `spawn_blocking`: SQLite serialises
//! writers anyway, and most reads here are a few milliseconds. Long reads
//! (replaying the event log) go to a few read-only connections instead
//! ([`read_pool`], [`Store::read`]), so they never queue in front of the writer.

pub mod seed;
pub mod seed_transfers;
pub mod seed_users;
pub mod seed_workspaces;

pub mod app_secrets;
pub mod history;
pub mod jobs;
pub mod labels;
pub mod licenses;
pub mod ownership;
pub mod packages;
pub mod read_pool;
pub mod transfers;
pub mod users;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use rusqlite::Connection;

use crate::error::{Error, Result};
use read_pool::ReadPool;

/// Numbered migrations; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_users_sessions.sql"),
    include_str!("migrations/0003_transfers_jobs.sql"),
    include_str!("migrations/0004_workspaces.sql"),
    include_str!("migrations/0005_session_hardening.sql"),
    include_str!("migrations/0006_idempotency_scope.sql"),
    include_str!("migrations/0007_app_secrets.sql"),
];

/// Why the database could not be opened at start-up, in words for the operator.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open database {path}: directory {dir} does not exist")]
    MissingDirectory { path: PathBuf, dir: PathBuf },
    #[error("cannot open database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("cannot initialise database {path} (is it writable?): {source}")]
    Init { path: PathBuf, source: rusqlite::Error },
}

#[derive(Clone)]
pub struct Store {
    /// The writer, and every short read.
    conn: Arc<Mutex<Connection>>,
    /// Read-only connections for long reads.
    readers: Arc<ReadPool>,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, runs migrations and,
    /// on an empty database, writes deterministic demo data; demo users,
    /// transfers and jobs are also written into existing databases that have none.
    pub fn open(path: &Path, packages_per_license: usize) -> Result<Self, OpenError> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(OpenError::MissingDirectory { path: path.into(), dir: dir.into() });
        }
        let conn = Connection::open(path).map_err(|source| OpenError::Open { path: path.into(), source })?;
        let init = |conn: &mut Connection| -> rusqlite::Result<()> {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            migrate(conn)?;
            seed::seed_if_empty(conn, packages_per_license)?;
            seed_users::seed_missing(conn)?;
            seed_transfers::seed_if_empty(conn)?;
            seed_workspaces::seed_if_empty(conn)?;
            // Nothing runs jobs yet: any left queued or running were cut short.
            let interrupted = jobs::fail_interrupted(conn)?;
            if interrupted > 0 {
                tracing::warn!(interrupted, "label jobs cut short by a restart are marked failed");
            }
            Ok(())
        };
        let mut conn = conn;
        init(&mut conn).map_err(|source| OpenError::Init { path: path.into(), source })?;
        let readers = ReadPool::open(path, read_pool::READERS)
            .map_err(|source| OpenError::Open { path: path.into(), source })?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)), readers: Arc::new(readers) })
    }

    /// Runs the read-only `f` on one of the read-only connections: for reads
    /// long enough to hold up other requests if they took the writer.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.readers.read(f).await
    }

    /// Runs `f` with the connection on the blocking pool.
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave SQLite half-written
            // (transactions roll back on drop), so a poisoned lock is still usable.
            let mut conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut conn)
        })
        .await
        .map_err(Error::from)?
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let done: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (n, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", n + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_directory_is_a_clear_error() {
        let err = Store::open(Path::new("/no/such/dir/db.sqlite3"), 10).err().unwrap();
        assert!(err.to_string().contains("directory /no/such/dir does not exist"), "{err}");
    }

    #[test]
    fn reopening_keeps_data_and_does_not_reseed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        drop(Store::open(&path, 5).unwrap());
        let store = Store::open(&path, 50).unwrap();
        let conn = store.conn.lock().unwrap();
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM packages", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 15, "three licenses of five packages, not reseeded with fifty");
    }

    #[test]
    fn a_database_from_before_users_gets_demo_users_and_transfers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        {
            // The first release: only the first migration, and its demo data.
            let mut conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            seed::seed_if_empty(&mut conn, 2).unwrap();
            conn.execute(
                "INSERT INTO events (license_number, payload, created_at) VALUES ('license.X', '{}', 'now')",
                [],
            )
            .unwrap();
        }
        let store = Store::open(&path, 2).unwrap();
        let conn = store.conn.lock().unwrap();
        let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(count("SELECT COUNT(*) FROM users"), seed_users::DEMO_USERS.len() as i64);
        assert_eq!(count("SELECT COUNT(*) FROM transfers"), 9);
        assert_eq!(count("SELECT COUNT(*) FROM jobs"), 2);
        assert_eq!(count("SELECT COUNT(*) FROM events WHERE channel = 'license.X'"), 1, "column renamed");
        assert_eq!(
            count("SELECT COUNT(*) FROM transfer_packages"),
            count("SELECT SUM(package_count) FROM transfers"),
            "every transfer gets its packages"
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM transfers WHERE received_package_count > 0"),
            3,
            "the first transfer of each license has arrived"
        );
        // Two packages per license leave too few for all 21 labels: as many as there are.
        assert!(count("SELECT COUNT(*) FROM labels WHERE status = 'pending'") > 0);
        assert_eq!(count("SELECT COUNT(*) FROM jobs WHERE result_url LIKE '/api/jobs/%/sheet'"), 2);
    }

    #[test]
    fn a_fresh_database_has_each_organizations_label_queue() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3"), 40).unwrap();
        let conn = store.conn.lock().unwrap();
        for organization in [1, 2] {
            let by_status: Vec<(String, i64)> = conn
                .prepare("SELECT status, COUNT(*) FROM labels WHERE organization_id = ?1 GROUP BY status ORDER BY status")
                .unwrap()
                .query_map([organization], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let expected =
                [("approved".to_owned(), 6), ("pending".to_owned(), 12), ("rejected".to_owned(), 3)];
            assert_eq!(by_status, expected, "organization {organization}");
        }
        let labels_on_inventory_tags: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM transfer_packages tp JOIN packages p ON p.label = tp.label",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(labels_on_inventory_tags, 0, "transfer tags never collide with inventory tags");
    }
}
