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
use serde::{Serialize, de::DeserializeOwned};

pub use super::fetched::Fetched;
use super::{fetched::Answer, persist, query_client, recent_changes, retry::RetryPolicy};
use crate::api::{
    ApiError, Conditional, get_conditional,
    packages::{self as api, PackagesKey},
    with_retry,
};

/// `['metrc', 'packages', license, filter]`: fresh for 20 s, as in the seed.
pub fn packages() -> QueryScopeLocal<PackagesKey, Fetched<PackageList>> {
    QueryScopeLocal::new(async |key: PackagesKey| {
        let url = api::packages_url(&key);
        revalidate(packages(), PACKAGES, &key, &url, |list: &mut PackageList| {
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

/// Scope names, as kept between visits ([`super::persist`]).
pub const PACKAGES: &str = "packages";
pub const LICENSES: &str = "licenses";

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
    QueryScopeLocal::new(async || revalidate(licenses(), LICENSES, &(), api::LICENSES_URL, |_| {}).await)
        .with_options(QueryOptions::new().with_stale_time(Duration::from_secs(300)))
}

/// One conditional, retried fetch of `url` for `scope` at `key`; new data is
/// kept for the next visit under `name`.
pub(super) async fn revalidate<K, T>(
    scope: QueryScopeLocal<K, Fetched<T>>,
    name: &'static str,
    key: &K,
    url: &str,
    reconcile: impl FnOnce(&mut T),
) -> Fetched<T>
where
    K: Clone + Hash + std::fmt::Debug + Serialize + 'static,
    T: Clone + std::fmt::Debug + DeserializeOwned + 'static,
{
    let previous = query_client().get_cached_query(scope, key);
    // The validator belongs to the data still held, even beside an error.
    let etag = previous.as_ref().filter(|p| p.data.is_some()).and_then(|p| p.etag.clone());
    let mut server_body = None;
    let answer = match with_retry(RetryPolicy::default(), || get_conditional::<T>(url, etag.as_deref())).await
    {
        Ok(Conditional::Modified { mut value, etag, body }) => {
            reconcile(&mut value);
            server_body = Some(body);
            Answer::Modified { value, etag }
        }
        Ok(Conditional::NotModified) => Answer::NotModified,
        Err(error) => Answer::Failed(error),
    };
    // Nothing to show and the server cannot be reached: what this device kept.
    let nothing = previous.as_ref().is_none_or(|p| p.data.is_none());
    let previous = match &answer {
        Answer::Failed(error) if nothing && error.is_transient() => {
            let kept = persist::recall::<K, T>(name, key).await;
            kept.map(|(data, etag, changed_at, confirmed_at)| Fetched {
                changed_at,
                confirmed_at,
                checked_at: confirmed_at,
                ..Fetched::fresh(data, etag, 0.0)
            })
            .or(previous)
        }
        _ => previous,
    };
    let fetched = Fetched::answered(previous, answer, js_sys::Date::now());
    if let Some(body) = server_body {
        // The server's own bytes (before live changes were reconciled in):
        // they match the ETag kept beside them.
        persist::save(name, key, &fetched, body);
    }
    fetched
}
