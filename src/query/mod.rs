//! The query layer: leptos-fetch holds the cache; this module adds what it
//! leaves to applications.
//!
//! - [`poll`]: the refetch interval as a function of the query's state, the
//!   environment and the covering socket (pure).
//! - [`policies`]: the seed's polling rules as one-line functions (pure).
//! - [`retry`]: which failures to retry and when (pure).
//! - [`persist`]: each query's last data kept in IndexedDB between visits, per person.
//! - [`patch`]: applying a changed package to cached lists, refusing stale versions (pure).
//! - [`versions`]: keeping live changes when an older fetch lands after them (pure).
//! - [`fetched`]: a cache entry keeps its last good data beside the last error (pure).
//! - [`invalidate`]: invalidation by key prefix, active-only or all.
//! - [`scopes`]: the app's query scopes: conditional, retried, reconciled fetches.
//! - [`workspaces`]: scopes of the transfers, labels and jobs workspaces.
//! - [`optimistic`]: check-in, label decisions and job progress applied to cached data (pure).
//! - [`use_poll`]: the one place timers live; pauses in hidden tabs and offline.

pub mod fetched;
pub mod invalidate;
pub mod optimistic;
pub mod patch;
pub mod persist;
pub mod policies;
pub mod poll;
pub mod retry;
pub mod scopes;
pub mod use_poll;
pub mod versions;
pub mod workspaces;

use std::cell::{OnceCell, RefCell};

use leptos_fetch::QueryClient;

pub use use_poll::{PollOptions, PollStatus, use_poll};
use versions::RecentChanges;

thread_local! {
    static CLIENT: OnceCell<QueryClient> = const { OnceCell::new() };
    static RECENT: RefCell<RecentChanges> = RefCell::new(RecentChanges::default());
}

/// Creates the app's query client and provides it as context. Fetchers reach
/// it through [`query_client`] (they run outside any reactive owner).
pub fn provide_query_client() -> QueryClient {
    let client = QueryClient::new().provide();
    CLIENT.with(|c| {
        let _ = c.set(client);
    });
    client
}

/// The app's query client.
pub fn query_client() -> QueryClient {
    CLIENT.with(|c| *c.get().expect("provide_query_client() runs first, in App"))
}

/// The live changes remembered for the version guard.
pub fn recent_changes<R>(f: impl FnOnce(&mut RecentChanges) -> R) -> R {
    RECENT.with(|r| f(&mut r.borrow_mut()))
}
