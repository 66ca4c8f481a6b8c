//! A few read-only connections beside the one writer, for long reads
//! (replaying the event log) that must not hold the writer: in WAL mode a
//! reader sees the last committed state and neither blocks the writer nor
//! waits for it. A semaphore hands out as many permits as there are
//! connections, so a taken permit always finds a connection in the pool.
//!
//! Hand-written rather than `r2d2`: twenty lines, async waiting through the
//! semaphore instead of r2d2's blocking `get()` on a Tokio worker.

use std::{
    path::Path,
    sync::{Arc, Mutex},
};

use rusqlite::{Connection, OpenFlags};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// How many read-only connections a [`super::Store`] opens: the machine this
/// runs on has few cores, and each reader is one blocking thread at work.
pub const READERS: usize = 3;

pub struct ReadPool {
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

impl ReadPool {
    /// Opens `size` read-only connections to the database at `path` (which
    /// must already exist, in WAL mode).
    pub fn open(path: &Path, size: usize) -> rusqlite::Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let idle = (0..size)
            .map(|_| {
                let conn = Connection::open_with_flags(path, flags)?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                Ok(conn)
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Self { idle: Mutex::new(idle), permits: Arc::new(Semaphore::new(size)) })
    }

    /// Runs `f` with an idle read-only connection on the blocking pool,
    /// waiting (without blocking a thread) for one to come free.
    pub async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let permit = self.permits.clone().acquire_owned().await.expect("the semaphore is never closed");
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = pool.lock().pop().expect("a permit always finds an idle connection");
            // Put back even if `f` panics: a read-only connection has nothing half-written.
            let returned = Returned { pool: &pool, conn: Some(conn) };
            let out = f(returned.conn.as_ref().expect("taken only on drop"));
            drop(returned);
            drop(permit);
            out
        })
        .await
        .map_err(Error::from)?
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // Only pushes and pops happen under the lock: a poisoned one is intact.
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Puts a connection back into the pool when dropped.
struct Returned<'a> {
    pool: &'a ReadPool,
    conn: Option<Connection>,
}

impl Drop for Returned<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.lock().push(conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn readers_see_committed_writes_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let writer = Connection::open(&path).unwrap();
        writer.pragma_update(None, "journal_mode", "WAL").unwrap();
        writer.execute_batch("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1);").unwrap();
        let pool = Arc::new(ReadPool::open(&path, 2).unwrap());
        let count = |pool: &Arc<ReadPool>| {
            let pool = pool.clone();
            async move {
                pool.read(|conn| Ok(conn.query_row("SELECT COUNT(*) FROM t", [], |r| r.get::<_, i64>(0))?))
                    .await
            }
        };
        assert_eq!(count(&pool).await.unwrap(), 1);
        writer.execute("INSERT INTO t VALUES (2)", []).unwrap();
        assert_eq!(count(&pool).await.unwrap(), 2);
        let write = pool.read(|conn| Ok(conn.execute("INSERT INTO t VALUES (3)", [])?)).await;
        assert!(write.is_err(), "read-only");
        // More readers than connections wait their turn.
        let all = futures_util::future::join_all((0..10).map(|_| count(&pool))).await;
        assert!(all.into_iter().all(|n| n.unwrap() == 2));
        assert_eq!(pool.lock().len(), 2, "every connection is back");
    }
}
