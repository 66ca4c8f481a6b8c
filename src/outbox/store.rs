//! Where the outbox lives between visits: one IndexedDB object store, one
//! record per waiting write (JSON), keyed by person and write. Thin: reads,
//! puts and deletes; the rules are [`super::queue`]'s.

use idb::{Database, Error, ObjectStore, TransactionMode, builder::ObjectStoreBuilder};
use wasm_bindgen::JsValue;

use super::queue::Pending;

const DATABASE: &str = "budtags";
const VERSION: u32 = 1;
const OUTBOX: &str = "outbox";

async fn open() -> Result<Database, Error> {
    Database::builder(DATABASE)
        .version(VERSION)
        .add_object_store(ObjectStoreBuilder::new(OUTBOX))
        .build()
        .await
}

fn record_key(user_id: i64, key: &str) -> JsValue {
    JsValue::from_str(&format!("{user_id}:{key}"))
}

/// Runs `f` on the outbox store in one transaction and waits until it is durable.
async fn with_store(
    mode: TransactionMode,
    f: impl FnOnce(&ObjectStore) -> Result<(), Error>,
) -> Result<(), String> {
    let run = async {
        let db = open().await?;
        let tx = db.transaction(&[OUTBOX], mode)?;
        f(&tx.object_store(OUTBOX)?)?;
        let done = tx.commit()?.await?;
        db.close();
        Ok::<_, Error>(done)
    };
    match run.await {
        Ok(done) if done.is_committed() => Ok(()),
        Ok(_) => Err("the browser aborted the outbox transaction".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Every waiting write stored on this browser (unreadable records are skipped).
pub async fn load() -> Result<Vec<Pending>, String> {
    let read = async {
        let db = open().await?;
        let tx = db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
        let values = tx.object_store(OUTBOX)?.get_all(None, None)?.await?;
        db.close();
        Ok::<_, Error>(values)
    };
    let values = read.await.map_err(|e| e.to_string())?;
    Ok(values
        .into_iter()
        .filter_map(|v| v.as_string())
        .filter_map(|text| match serde_json::from_str::<Pending>(&text) {
            Ok(pending) => Some(pending),
            Err(e) => {
                leptos::logging::warn!("skipping an unreadable outbox record: {e}");
                None
            }
        })
        .collect())
}

/// Keeps `pending` (replacing an earlier copy of the same write).
pub async fn put(pending: &Pending) -> Result<(), String> {
    let text = serde_json::to_string(pending).map_err(|e| e.to_string())?;
    let key = record_key(pending.user_id, &pending.write.key());
    with_store(TransactionMode::ReadWrite, |store| store.put(&JsValue::from_str(&text), Some(&key)).map(drop))
        .await
}

/// Forgets the write `key` of `user_id`.
pub async fn delete(user_id: i64, key: &str) -> Result<(), String> {
    let key = record_key(user_id, key);
    with_store(TransactionMode::ReadWrite, |store| store.delete(key).map(drop)).await
}
