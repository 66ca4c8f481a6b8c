//! The query cache kept between visits: each query's last good data, its
//! ETag and its age, in IndexedDB, per signed-in person, within a budget
//! ([`budget`]), cleared on sign-out. A fetch that fails with nothing to
//! show (a reload without the network or the server) takes the kept data
//! instead ([`recall`]): the page shows it under the banner that says how old
//! it is, and revalidates it with its ETag once the server answers.

pub mod budget;

use std::cell::{Cell, RefCell};

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::fetched::Fetched;
use crate::idb;
use budget::{BUDGET, Kept};

thread_local! {
    /// Whose data is being kept (`None`: nobody's).
    static PERSON: Cell<Option<i64>> = const { Cell::new(None) };
    /// What is kept, for the budget.
    static KEPT: RefCell<Vec<Kept>> = const { RefCell::new(Vec::new()) };
}

/// What is kept of an entry besides its data.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    scope: String,
    key: String,
    etag: Option<String>,
    changed_at: f64,
    confirmed_at: f64,
    saved_at: f64,
}

/// A record is its header's JSON, a newline, and the body as the server sent
/// it (compact JSON has no newline), so a 5 MB list is neither escaped into a
/// string nor encoded again.
fn encode<K: Serialize, T>(
    scope: &str,
    key: &K,
    fetched: &Fetched<T>,
    body: Vec<u8>,
) -> Option<(String, String)> {
    let body = String::from_utf8(body).ok()?;
    let header = Header {
        scope: scope.to_owned(),
        key: serde_json::to_string(key).ok()?,
        etag: fetched.etag.clone(),
        changed_at: fetched.changed_at,
        confirmed_at: fetched.confirmed_at,
        saved_at: js_sys::Date::now(),
    };
    let record_key = record_key(PERSON.get()?, scope, &header.key);
    Some((record_key, format!("{}\n{body}", serde_json::to_string(&header).ok()?)))
}

/// Keeps `body`, the server's answer that made `fetched`, as the last data of
/// `scope` at `key` (when someone is signed in), in the background.
pub fn save<K: Serialize, T>(scope: &'static str, key: &K, fetched: &Fetched<T>, body: Vec<u8>) {
    let Some((record_key, text)) = encode(scope, key, fetched, body) else { return };
    let kept = Kept { key: record_key.clone(), bytes: text.len(), saved_at: js_sys::Date::now() };
    let over = KEPT.with(|all| {
        let mut all = all.borrow_mut();
        budget::record(&mut all, kept);
        let over = budget::over_budget(&all, BUDGET);
        all.retain(|k| !over.contains(&k.key));
        over
    });
    leptos::task::spawn_local(async move {
        if !over.contains(&record_key)
            && let Err(e) = idb::put(idb::QUERIES, &record_key, &text).await
        {
            leptos::logging::warn!("could not keep {record_key}: {e}");
        }
        for key in over {
            let _ = idb::delete(idb::QUERIES, &key).await;
        }
        if let Some(user) = PERSON.get() {
            let index = KEPT.with(|all| serde_json::to_string(&*all.borrow()).unwrap_or_default());
            let _ = idb::put(idb::QUERIES, &index_key(user), &index).await;
        }
    });
}

/// Whose data is kept from now on (`None`: nobody's, signed out).
pub fn keep_for(user_id: Option<i64>) {
    PERSON.set(user_id);
}

/// Where `scope`'s entry at the key `key_json` is kept for `user_id`.
fn record_key(user_id: i64, scope: &str, key_json: &str) -> String {
    format!("{user_id}:{scope}:{key_json}")
}

/// Reads what is kept for `user_id`, for the budget (at start, before
/// anything is fetched). The data itself is only read when a fetch fails
/// with nothing to show ([`recall`]); see docs/decisions.md.
pub async fn load_index(user_id: i64) {
    PERSON.set(Some(user_id));
    let index = idb::get(idb::QUERIES, &index_key(user_id)).await.ok().flatten();
    let kept = index.and_then(|text| serde_json::from_str::<Vec<Kept>>(&text).ok()).unwrap_or_default();
    KEPT.with(|all| *all.borrow_mut() = kept);
}

/// The record listing what is kept for `user_id` (for the budget).
fn index_key(user_id: i64) -> String {
    format!("{user_id}:#index")
}

/// The kept data of `scope` at `key`, for a fetch that failed with nothing
/// in the cache: `(data, etag, changed_at, confirmed_at)`.
pub async fn recall<K: Serialize, T: DeserializeOwned>(
    scope: &'static str,
    key: &K,
) -> Option<(T, Option<String>, f64, f64)> {
    let record_key = record_key(PERSON.get()?, scope, &serde_json::to_string(key).ok()?);
    let text = idb::get(idb::QUERIES, &record_key).await.ok()??;
    let (header, data) = text.split_once('\n')?;
    let header = serde_json::from_str::<Header>(header).ok()?;
    let data = serde_json::from_slice::<T>(data.as_bytes()).ok()?;
    Some((data, header.etag, header.changed_at, header.confirmed_at))
}

/// Forgets everything kept for `user_id` (signing out).
pub async fn clear(user_id: i64) {
    PERSON.set(None);
    let keys: Vec<String> = KEPT.with(|all| all.borrow_mut().drain(..).map(|k| k.key).collect());
    let stored = idb::all(idb::QUERIES, &format!("{user_id}:")).await.unwrap_or_default();
    for key in keys.into_iter().chain(stored.into_iter().map(|(k, _)| k)) {
        let _ = idb::delete(idb::QUERIES, &key).await;
    }
}
