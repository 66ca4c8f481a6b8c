//! Invalidation by key prefix: the seed's `invalidateQueries({ queryKey:
//! ['metrc','packages', license], refetchType })` covers both filters.

use std::cell::RefCell;

use leptos::task::spawn_local;
use leptos_fetch::QueryClient;

use super::scopes;

/// Which invalidated queries refetch now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refetch {
    /// Only queries on screen; the rest refetch when next used (TanStack's `'active'`).
    Active,
    /// Every cached query, on screen or not.
    All,
}

/// Invalidates every cached package list of `license` (both filters).
pub fn invalidate_packages(client: QueryClient, license: &str, refetch: Refetch) {
    let matched = RefCell::new(Vec::new());
    client.invalidate_queries_with_predicate(scopes::packages(), |key| {
        let hit = key.license == license;
        if hit {
            matched.borrow_mut().push(key.clone());
        }
        hit
    });
    if refetch == Refetch::All {
        for key in matched.into_inner() {
            spawn_local(async move { client.prefetch_query_local(scopes::packages(), key).await });
        }
    }
}
