//! The app's query scopes. A scope is a fetcher plus its options; the same
//! scope function always names the same cache.

use std::time::Duration;

use budtags_wire::{License, PackageList};
use leptos_fetch::{QueryOptions, QueryScopeLocal};

use crate::api::{self, ApiError, packages::PackagesKey};

/// A fetch result stamped with the time it arrived (ms since the epoch), so
/// policies know the data's age and pages can say when it was last updated.
#[derive(Clone, Debug, PartialEq)]
pub struct Fetched<T> {
    pub result: Result<T, ApiError>,
    pub at_ms: f64,
}

impl<T> Fetched<T> {
    fn now(result: Result<T, ApiError>) -> Self {
        Self { result, at_ms: js_sys::Date::now() }
    }
}

/// `['metrc', 'packages', license, filter]`: fresh for 20 s, as in the seed.
pub fn packages() -> QueryScopeLocal<PackagesKey, Fetched<PackageList>> {
    QueryScopeLocal::new(async |key: PackagesKey| Fetched::now(api::packages::packages(key).await))
        .with_options(QueryOptions::new().with_stale_time(Duration::from_secs(20)))
        .with_invalidation_link(|key: &PackagesKey| {
            ["metrc".to_owned(), "packages".to_owned(), key.license.clone(), key.filter.to_string()]
        })
}

/// The licenses the app can show; they rarely change.
pub fn licenses() -> QueryScopeLocal<(), Fetched<Vec<License>>> {
    QueryScopeLocal::new(async || Fetched::now(api::packages::licenses().await))
        .with_options(QueryOptions::new().with_stale_time(Duration::from_secs(300)))
}
