//! Where the outbox lives between visits: one IndexedDB object store, one
//! record per waiting write (JSON), keyed by person and write. Thin: open,
//! read all, put, delete; the rules are [`super::queue`]'s.
//!
//! Written on `web-sys` directly (see docs/decisions.md): the `idb` crate
//! brings Tokio, whose features then unify with the server's in the
//! workspace build and break the wasm target.

use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

use super::queue::Pending;

const DATABASE: &str = "budtags";
const VERSION: u32 = 1;
const OUTBOX: &str = "outbox";

fn js_error(e: JsValue) -> String {
    e.as_string()
        .or_else(|| js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()))
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Waits for `request` to succeed (its result) or fail.
async fn done(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |event: web_sys::Event| {
            let result =
                event.target().and_then(|t| t.dyn_into::<IdbRequest>().ok()).and_then(|r| r.result().ok());
            let _ = resolve.call1(&JsValue::NULL, &result.unwrap_or(JsValue::UNDEFINED));
        });
        let failed = Closure::once_into_js(move |event: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &event);
        });
        request.set_onsuccess(Some(ok.unchecked_ref()));
        request.set_onerror(Some(failed.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(|e| {
        let error = request.error().ok().flatten().map(|e| e.message());
        error.unwrap_or_else(|| js_error(e))
    })
}

/// Waits for `tx` to commit.
async fn committed(tx: &IdbTransaction) -> Result<(), String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let reject2 = reject.clone();
        let failed = Closure::once_into_js(move |e: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        let aborted = Closure::once_into_js(move |e: web_sys::Event| {
            let _ = reject2.call1(&JsValue::NULL, &e);
        });
        tx.set_oncomplete(Some(ok.unchecked_ref()));
        tx.set_onerror(Some(failed.unchecked_ref()));
        tx.set_onabort(Some(aborted.unchecked_ref()));
    });
    JsFuture::from(promise).await.map(drop).map_err(|_| "the browser did not save the outbox".to_owned())
}

async fn open() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or("this browser keeps no IndexedDB")?;
    let request: IdbOpenDbRequest = factory.open_with_u32(DATABASE, VERSION).map_err(js_error)?;
    let upgrade = Closure::once_into_js(move |event: web_sys::Event| {
        let db = event
            .target()
            .and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|db| db.dyn_into::<IdbDatabase>().ok());
        if let Some(db) = db
            && !db.object_store_names().contains(OUTBOX)
        {
            let _ = db.create_object_store(OUTBOX);
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db = done(&request).await?;
    db.dyn_into::<IdbDatabase>().map_err(|_| "IndexedDB opened something else".to_owned())
}

fn record_key(user_id: i64, key: &str) -> JsValue {
    JsValue::from_str(&format!("{user_id}:{key}"))
}

/// Every waiting write stored on this browser (unreadable records are skipped).
pub async fn load() -> Result<Vec<Pending>, String> {
    let db = open().await?;
    let tx = db.transaction_with_str(OUTBOX).map_err(js_error)?;
    let request = tx.object_store(OUTBOX).map_err(js_error)?.get_all().map_err(js_error)?;
    let values = done(&request).await;
    db.close();
    let values: js_sys::Array = values?.dyn_into().map_err(|_| "not a list".to_owned())?;
    Ok(values
        .iter()
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

/// Runs one change on the outbox store and waits until it is durable.
async fn write(
    change: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue>,
) -> Result<(), String> {
    let db = open().await?;
    let result = async {
        let tx = db.transaction_with_str_and_mode(OUTBOX, IdbTransactionMode::Readwrite).map_err(js_error)?;
        let store = tx.object_store(OUTBOX).map_err(js_error)?;
        change(&store).map_err(js_error)?;
        committed(&tx).await
    }
    .await;
    db.close();
    result
}

/// Keeps `pending` (replacing an earlier copy of the same write).
pub async fn put(pending: &Pending) -> Result<(), String> {
    let text = serde_json::to_string(pending).map_err(|e| e.to_string())?;
    let key = record_key(pending.user_id, &pending.write.key());
    write(|store| store.put_with_key(&JsValue::from_str(&text), &key)).await
}

/// Forgets the write `key` of `user_id`.
pub async fn delete(user_id: i64, key: &str) -> Result<(), String> {
    let key = record_key(user_id, key);
    write(|store| store.delete(&key)).await
}
