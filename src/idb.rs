//! The app's IndexedDB database: a few named object stores of JSON text
//! records with string keys. Thin: open, read all, put, delete; what goes in
//! is decided elsewhere ([`crate::outbox`], [`crate::query::persist`]).
//!
//! Written on `web-sys` directly (see docs/decisions.md): the `idb` crate
//! brings Tokio, whose features then unify with the server's in the
//! workspace build and break the wasm target.

use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

const DATABASE: &str = "budtags";
/// 1: the outbox; 2: persisted queries.
const VERSION: u32 = 2;
/// Writes waiting to be sent ([`crate::outbox`]).
pub const OUTBOX: &str = "outbox";
/// The last data of queries, per person ([`crate::query::persist`]).
pub const QUERIES: &str = "queries";
const STORES: [&str; 2] = [OUTBOX, QUERIES];

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
        let on_abort = reject.clone();
        let failed = Closure::once_into_js(move |e: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        let aborted = Closure::once_into_js(move |e: web_sys::Event| {
            let _ = on_abort.call1(&JsValue::NULL, &e);
        });
        tx.set_oncomplete(Some(ok.unchecked_ref()));
        tx.set_onerror(Some(failed.unchecked_ref()));
        tx.set_onabort(Some(aborted.unchecked_ref()));
    });
    JsFuture::from(promise).await.map(drop).map_err(|_| "the browser did not save it".to_owned())
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
        if let Some(db) = db {
            for store in STORES {
                if !db.object_store_names().contains(store) {
                    let _ = db.create_object_store(store);
                }
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db = done(&request).await?;
    db.dyn_into::<IdbDatabase>().map_err(|_| "IndexedDB opened something else".to_owned())
}

/// Every record of `store` whose key starts with `prefix`: (key, text).
pub async fn all(store: &str, prefix: &str) -> Result<Vec<(String, String)>, String> {
    let db = open().await?;
    let read = async {
        let tx = db.transaction_with_str(store).map_err(js_error)?;
        let store = tx.object_store(store).map_err(js_error)?;
        let keys = done(&store.get_all_keys().map_err(js_error)?).await?;
        let values = done(&store.get_all().map_err(js_error)?).await?;
        Ok::<_, String>((js_sys::Array::from(&keys), js_sys::Array::from(&values)))
    };
    let (keys, values) = read.await.inspect_err(|_| db.close())?;
    db.close();
    Ok(keys
        .iter()
        .zip(values.iter())
        .filter_map(|(k, v)| Some((k.as_string()?, v.as_string()?)))
        .filter(|(k, _)| k.starts_with(prefix))
        .collect())
}

/// The record `key` of `store`, if there is one.
pub async fn get(store: &str, key: &str) -> Result<Option<String>, String> {
    let db = open().await?;
    let read = async {
        let tx = db.transaction_with_str(store).map_err(js_error)?;
        let request =
            tx.object_store(store).map_err(js_error)?.get(&JsValue::from_str(key)).map_err(js_error)?;
        done(&request).await
    };
    let value = read.await;
    db.close();
    Ok(value?.as_string())
}

/// Runs one change on `store` and waits until it is durable.
async fn write(
    store: &str,
    change: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue>,
) -> Result<(), String> {
    let db = open().await?;
    let result = async {
        let tx = db.transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite).map_err(js_error)?;
        change(&tx.object_store(store).map_err(js_error)?).map_err(js_error)?;
        committed(&tx).await
    }
    .await;
    db.close();
    result
}

/// Keeps `text` under `key` in `store` (replacing what was there).
pub async fn put(store: &str, key: &str, text: &str) -> Result<(), String> {
    write(store, |s| s.put_with_key(&JsValue::from_str(text), &JsValue::from_str(key))).await
}

/// Forgets `key` in `store`.
pub async fn delete(store: &str, key: &str) -> Result<(), String> {
    write(store, |s| s.delete(&JsValue::from_str(key))).await
}
