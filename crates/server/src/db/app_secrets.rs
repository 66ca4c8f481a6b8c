//! Secrets generated on first start and kept in the database: the Pusher app
//! key and secret. A table rather than a file beside the database: it is
//! created, backed up, copied and deleted with the data whose events it signs,
//! and the database already holds what is as sensitive (sessions, password
//! hashes), so a file of its own would protect nothing more (docs/decisions.md).

use rusqlite::{Connection, params};

use crate::error::{Error, Result};

const PUSHER_KEY: &str = "pusher_key";
const PUSHER_SECRET: &str = "pusher_secret";

/// The Pusher app key and secret this database keeps.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredPusher {
    pub key: String,
    pub secret: String,
}

impl std::fmt::Debug for StoredPusher {
    /// The secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredPusher").field("key", &self.key).field("secret", &"…").finish()
    }
}

/// The kept key and secret, generating each from the OS random number
/// generator the first time. `INSERT OR IGNORE`: two servers starting on one
/// fresh database at once still end up with the same values.
pub fn pusher(conn: &Connection) -> Result<StoredPusher> {
    let key = kept_or(conn, PUSHER_KEY, 16)?;
    let secret = kept_or(conn, PUSHER_SECRET, 32)?;
    Ok(StoredPusher { key, secret })
}

/// The value named `name`, first storing `bytes` fresh random bytes (as hex) if there is none.
fn kept_or(conn: &Connection, name: &str, bytes: usize) -> Result<String> {
    let mut fresh = vec![0u8; bytes];
    getrandom::fill(&mut fresh).map_err(Error::Random)?;
    conn.execute(
        "INSERT OR IGNORE INTO app_secrets (name, value) VALUES (?1, ?2)",
        params![name, hex::encode(fresh)],
    )?;
    Ok(conn.query_row("SELECT value FROM app_secrets WHERE name = ?1", [name], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    async fn kept(store: &Store) -> StoredPusher {
        store.call(|conn| pusher(conn)).await.unwrap()
    }

    #[tokio::test]
    async fn generated_once_kept_across_restarts_and_different_per_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite3");
        let first = kept(&Store::open(&path, 2).unwrap()).await;
        assert_eq!((first.key.len(), first.secret.len()), (32, 64));
        assert!(first.secret.bytes().all(|c| c.is_ascii_hexdigit()));
        let store = Store::open(&path, 2).unwrap();
        assert_eq!(kept(&store).await, first, "same database, same credentials");
        assert_eq!(kept(&store).await, first);
        let other = kept(&Store::open(&dir.path().join("b.sqlite3"), 2).unwrap()).await;
        assert_ne!(other.key, first.key);
        assert_ne!(other.secret, first.secret);
    }

    #[test]
    fn the_secret_is_not_in_its_debug_form() {
        let stored = StoredPusher { key: "k".into(), secret: "s3cr3t".into() };
        assert!(!format!("{stored:?}").contains("s3cr3t"));
    }
}
