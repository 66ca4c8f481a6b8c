//! The app's query scopes. A scope is a fetcher plus its options; the same
//! scope function always names the same cache.
//!
//! Every fetch is conditional (the cached value's ETag goes out as
//! `If-None-Match`; a `304` keeps the cached data), retried by
//! [`RetryPolicy`], and package lists are reconciled with newer live changes
//! before they reach the cache.

use std::{hash::Hash, time::Duration};

use budtags_wire::{License, PackageList};
use leptos_fetch::{QueryOptions, QueryScopeLocal};
use serde::de::DeserializeOwned;

use super::{query_client, recent_changes, retry::RetryPolicy};
use crate::api::{
    ApiError, Conditional, get_conditional,
    packages::{self as api, PackagesKey},
    with_retry,
};

/// A fetch result with when the data last changed and when the server last
/// confirmed it (ms since the epoch), and the validator for the next fetch.
#[derive(Clone, Debug, PartialEq)]
pub struct Fetched<T> {
    pub result: Result<T, ApiError>,
    /// When new data last arrived: what "Updated" shows.
    pub changed_at: f64,
    /// When the server last answered (`200` or `304`): what polling counts from.
    pub checked_at: f64,
    pub etag: Option<String>,
}

/// `['metrc', 'packages', license, filter]`: fresh for 20 s, as in the seed.
pub fn packages() -> QueryScopeLocal<PackagesKey, Fetched<PackageList>> {
    QueryScopeLocal::new(async |key: PackagesKey| {
        let url = api::packages_url(&key);
        revalidate(packages(), &key, &url, |list: &mut PackageList| {
            recent_changes(|recent| recent.reconcile(&key.license, key.filter, list));
        })
        .await
    })
    .with_options(QueryOptions::new().with_stale_time(PACKAGES_STALE))
    .with_invalidation_link(|key: &PackagesKey| {
        ["metrc".to_owned(), "packages".to_owned(), key.license.clone(), key.filter.to_string()]
    })
}

pub const PACKAGES_STALE: Duration = Duration::from_secs(20);

/// The first rows of a packages list (`?limit=`): what a page opened cold
/// paints while the whole list (`packages`) is on its way. Fetched once,
/// never polled; live changes patch it like the whole list.
pub fn packages_head() -> QueryScopeLocal<PackagesKey, Result<PackageList, ApiError>> {
    QueryScopeLocal::new(async |key: PackagesKey| {
        let url = api::packages_head_url(&key);
        match get_conditional::<PackageList>(&url, None).await? {
            Conditional::Modified { value, .. } => Ok(value),
            Conditional::NotModified => Err(ApiError::Decode("304 for a request without a validator".into())),
        }
    })
}

/// The licenses the app can show; they rarely change.
pub fn licenses() -> QueryScopeLocal<(), Fetched<Vec<License>>> {
    QueryScopeLocal::new(async || revalidate(licenses(), &(), api::LICENSES_URL, |_| {}).await)
        .with_options(QueryOptions::new().with_stale_time(Duration::from_secs(300)))
}

/// One conditional, retried fetch of `url` for `scope` at `key`.
pub(super) async fn revalidate<K, T>(
    scope: QueryScopeLocal<K, Fetched<T>>,
    key: &K,
    url: &str,
    reconcile: impl FnOnce(&mut T),
) -> Fetched<T>
where
    K: Clone + Hash + std::fmt::Debug + 'static,
    T: Clone + std::fmt::Debug + DeserializeOwned + 'static,
{
    let previous = query_client().get_cached_query(scope, key);
    let etag = previous.as_ref().filter(|p| p.result.is_ok()).and_then(|p| p.etag.clone());
    let answer = with_retry(RetryPolicy::default(), || get_conditional::<T>(url, etag.as_deref())).await;
    let now = js_sys::Date::now();
    match (answer, previous) {
        (Ok(Conditional::NotModified), Some(previous)) => Fetched { checked_at: now, ..previous },
        (Ok(Conditional::NotModified), None) => Fetched {
            result: Err(ApiError::Decode("304 without a cached copy".into())),
            changed_at: now,
            checked_at: now,
            etag: None,
        },
        (Ok(Conditional::Modified { mut value, etag }), _) => {
            reconcile(&mut value);
            Fetched { result: Ok(value), changed_at: now, checked_at: now, etag }
        }
        // Offline is not a failure of the data: keep showing what we have;
        // the `online` event refetches.
        (Err(ApiError::Offline), Some(previous)) if previous.result.is_ok() => previous,
        (Err(error), previous) => Fetched {
            result: Err(error),
            changed_at: previous.map_or(now, |p| p.changed_at),
            checked_at: now,
            etag: None,
        },
    }
}
