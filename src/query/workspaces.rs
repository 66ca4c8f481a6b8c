//! Query scopes of the workspaces: incoming transfers, one transfer, the
//! label queue, label jobs. Each fetch is conditional and retried like the
//! package lists (see [`super::scopes`]); keys follow the seed's shape
//! (`['transfers', license]`, `['transfer', id]`, `['labels', status]`,
//! `['jobs']`, `['job', id]`).

use std::time::Duration;

use budtags_wire::{Job, Label, LabelStatus, Transfer, TransferDetail};
use leptos_fetch::{QueryClient, QueryOptions, QueryScopeLocal};

use super::scopes::{Fetched, revalidate};
use crate::api::{jobs as jobs_api, labels as labels_api, transfers as transfers_api};

/// Data stays fresh this long; live events and polling refresh it sooner.
pub const WORKSPACE_STALE: Duration = Duration::from_secs(10);

/// Scope names, as kept between visits ([`super::persist`]).
pub const INCOMING: &str = "incoming-transfers";
pub const TRANSFER: &str = "transfer";
pub const LABELS: &str = "labels";
pub const JOBS: &str = "jobs";
pub const JOB: &str = "job";

fn options() -> QueryOptions {
    QueryOptions::new().with_stale_time(WORKSPACE_STALE)
}

/// A license's incoming transfers, newest first.
pub fn incoming_transfers() -> QueryScopeLocal<String, Fetched<Vec<Transfer>>> {
    QueryScopeLocal::new(async |license: String| {
        revalidate(incoming_transfers(), INCOMING, &license, &transfers_api::incoming_url(&license), |_| {})
            .await
    })
    .with_options(options())
}

/// One transfer and its packages.
pub fn transfer() -> QueryScopeLocal<i64, Fetched<TransferDetail>> {
    QueryScopeLocal::new(async |id: i64| {
        revalidate(transfer(), TRANSFER, &id, &transfers_api::transfer_url(id), |_| {}).await
    })
    .with_options(options())
}

/// The organization's labels with one status.
pub fn labels() -> QueryScopeLocal<LabelStatus, Fetched<Vec<Label>>> {
    QueryScopeLocal::new(async |status: LabelStatus| {
        revalidate(labels(), LABELS, &status, &labels_api::labels_url(status), |_| {}).await
    })
    .with_options(options())
}

/// The organization's recent label jobs.
pub fn jobs() -> QueryScopeLocal<(), Fetched<Vec<Job>>> {
    QueryScopeLocal::new(async || revalidate(jobs(), JOBS, &(), jobs_api::JOBS_URL, |_| {}).await)
        .with_options(options())
}

/// One label job.
pub fn job() -> QueryScopeLocal<String, Fetched<Job>> {
    QueryScopeLocal::new(async |id: String| {
        revalidate(job(), JOB, &id, &jobs_api::job_url(&id), |_| {}).await
    })
    .with_options(options())
}

/// Changes the cached value of `scope` at `key` in place, if it holds data.
/// `change` returns whether it changed anything; if not, nobody is notified.
pub fn edit<K, T>(
    client: QueryClient,
    scope: QueryScopeLocal<K, Fetched<T>>,
    key: &K,
    change: impl FnOnce(&mut T) -> bool,
) -> bool
where
    K: Clone + std::hash::Hash + std::fmt::Debug + 'static,
    T: Clone + std::fmt::Debug + 'static,
{
    client.update_query(scope, key, |cached| {
        let changed = match cached {
            Some(Fetched { data: Some(value), .. }) => change(value),
            _ => false,
        };
        if !changed {
            client.untrack_update_query();
        }
        changed
    })
}

/// A value the server just sent (the answer to a write), in the shape the cache holds.
pub fn fresh<T>(value: T) -> Fetched<T> {
    Fetched::fresh(value, None, js_sys::Date::now())
}
