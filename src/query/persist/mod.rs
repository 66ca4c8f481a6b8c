//! The query cache kept between visits: each query's last good data, its
//! ETag and its age, in IndexedDB, per signed-in person, within a budget
//! ([`budget`]), cleared on sign-out. At start the kept entries go into the
//! cache beside the first fetches (on a fast network the fetch often wins;
//! on a slow one the kept rows paint first), marked stale, so pages
//! revalidate them with the ETag (a `304` when nothing changed). Without the
//! network or the server they are what the page shows, under the banner that
//! says how old they are.

pub mod budget;

use std::cell::{Cell, RefCell};

use budtags_wire::{Job, Label, LabelStatus, License, PackageList, Transfer, TransferDetail};
use leptos_fetch::{QueryClient, QueryScopeLocal};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::{fetched::Fetched, scopes, workspaces};
use crate::{api::packages::PackagesKey, idb};
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

/// A record is its header's JSON, a newline, and the data's JSON (compact
/// JSON has no newline), so a 5 MB list is not escaped into a string.
fn encode<K: Serialize, T: Serialize>(
    scope: &str,
    key: &K,
    fetched: &Fetched<T>,
) -> Option<(String, String)> {
    let data = serde_json::to_string(fetched.data.as_ref()?).ok()?;
    let header = Header {
        scope: scope.to_owned(),
        key: serde_json::to_string(key).ok()?,
        etag: fetched.etag.clone(),
        changed_at: fetched.changed_at,
        confirmed_at: fetched.confirmed_at,
        saved_at: js_sys::Date::now(),
    };
    let record_key = format!("{}:{scope}:{}", PERSON.get()?, header.key);
    Some((record_key, format!("{}\n{data}", serde_json::to_string(&header).ok()?)))
}

/// Keeps `fetched` as the last data of `scope` at `key` (when someone is
/// signed in and it holds data), in the background.
pub fn save<K: Serialize, T: Serialize>(scope: &'static str, key: &K, fetched: &Fetched<T>) {
    let Some((record_key, text)) = encode(scope, key, fetched) else { return };
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
    });
}

/// Whose data is kept from now on (`None`: nobody's, signed out).
pub fn keep_for(user_id: Option<i64>) {
    PERSON.set(user_id);
}

/// Starts keeping `user_id`'s data and puts what was kept for them into the
/// cache where nothing newer is: an entry a fetch already filled stays; one
/// whose first fetch failed gets the kept data beside its error. A kept
/// entry is stale, so a page reading it revalidates with its ETag.
pub async fn restore(client: QueryClient, user_id: i64) {
    PERSON.set(Some(user_id));
    let records = match idb::all(idb::QUERIES, &format!("{user_id}:")).await {
        Ok(records) => records,
        Err(e) => {
            leptos::logging::warn!("no kept query data: {e}");
            return;
        }
    };
    let mut kept = Vec::new();
    for (record_key, text) in records {
        let Some((header_text, data)) = text.split_once('\n') else { continue };
        let Ok(header) = serde_json::from_str::<Header>(header_text) else { continue };
        // A big list is read and parsed only when its fetch fails: on a
        // working network the fetch is quicker than IndexedDB and the parse.
        if text.len() > EAGER_BYTES || seed(client, &header, data) {
            kept.push(Kept { key: record_key, bytes: text.len(), saved_at: header.saved_at });
        }
    }
    KEPT.with(|all| *all.borrow_mut() = kept);
}

/// Kept records up to this size go into the cache at start; bigger ones
/// (a list of thousands of packages) only when their fetch fails ([`recall`]).
const EAGER_BYTES: usize = 256 * 1024;

/// The kept data of `scope` at `key`, for a fetch that failed with nothing
/// in the cache: `(data, etag, changed_at, confirmed_at)`.
pub async fn recall<K: Serialize, T: DeserializeOwned>(
    scope: &'static str,
    key: &K,
) -> Option<(T, Option<String>, f64, f64)> {
    let record_key = format!("{}:{scope}:{}", PERSON.get()?, serde_json::to_string(key).ok()?);
    let text = idb::get(idb::QUERIES, &record_key).await.ok()??;
    let (header, data) = text.split_once('\n')?;
    let header = serde_json::from_str::<Header>(header).ok()?;
    let data = serde_json::from_str::<T>(data).ok()?;
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

/// Every scope whose data is kept: its name and where it goes back.
fn seed(client: QueryClient, header: &Header, data: &str) -> bool {
    match header.scope.as_str() {
        scopes::PACKAGES => put::<PackagesKey, PackageList>(client, scopes::packages(), header, data),
        scopes::LICENSES => put::<(), Vec<License>>(client, scopes::licenses(), header, data),
        workspaces::INCOMING => {
            put::<String, Vec<Transfer>>(client, workspaces::incoming_transfers(), header, data)
        }
        workspaces::TRANSFER => put::<i64, TransferDetail>(client, workspaces::transfer(), header, data),
        workspaces::LABELS => put::<LabelStatus, Vec<Label>>(client, workspaces::labels(), header, data),
        workspaces::JOBS => put::<(), Vec<Job>>(client, workspaces::jobs(), header, data),
        workspaces::JOB => put::<String, Job>(client, workspaces::job(), header, data),
        _ => false,
    }
}

fn put<K, T>(client: QueryClient, scope: QueryScopeLocal<K, Fetched<T>>, header: &Header, data: &str) -> bool
where
    K: DeserializeOwned + Clone + std::hash::Hash + std::fmt::Debug + PartialEq + 'static,
    T: DeserializeOwned + Clone + std::fmt::Debug + 'static,
{
    let (Ok(key), Ok(value)) = (serde_json::from_str::<K>(&header.key), serde_json::from_str::<T>(data))
    else {
        return false;
    };
    let now = client.get_cached_query(scope.clone(), &key);
    if now.as_ref().is_some_and(|f| f.data.is_some()) {
        return true; // a fetch got there first
    }
    if now.as_ref().and_then(|f| f.error.as_ref()).is_some_and(|e| !e.is_transient()) {
        return false; // the server says it is gone, or not theirs: not shown again
    }
    // Counted from its last confirmation (polling sees its true age), or
    // beside the error of a first fetch that failed.
    let (error, checked_at, failures) = match now.and_then(|f| f.error.map(|e| (e, f.checked_at, f.failures)))
    {
        Some((error, checked_at, failures)) => (Some(error), checked_at, failures),
        None => (None, header.confirmed_at, 0),
    };
    let entry = Fetched {
        data: Some(value),
        error,
        changed_at: header.changed_at,
        confirmed_at: header.confirmed_at,
        checked_at,
        failures,
        etag: header.etag.clone(),
    };
    client.set_query_local(scope.clone(), key.clone(), entry);
    client.invalidate_query(scope, key);
    true
}
