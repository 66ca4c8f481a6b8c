//! Where the outbox lives between visits: one record per waiting write (JSON)
//! in the app's IndexedDB ([`crate::idb`]), keyed by person and write.

use super::queue::Pending;
use crate::idb;

fn record_key(user_id: i64, key: &str) -> String {
    format!("{user_id}:{key}")
}

/// Every waiting write stored on this browser (unreadable records are skipped).
pub async fn load() -> Result<Vec<Pending>, String> {
    let records = idb::all(idb::OUTBOX, "").await?;
    Ok(records
        .into_iter()
        .filter_map(|(_, text)| match serde_json::from_str::<Pending>(&text) {
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
    idb::put(idb::OUTBOX, &record_key(pending.user_id, &pending.write.key()), &text).await
}

/// Forgets the write `key` of `user_id`.
pub async fn delete(user_id: i64, key: &str) -> Result<(), String> {
    idb::delete(idb::OUTBOX, &record_key(user_id, key)).await
}
