//! Carrying out the router's cache actions on the leptos-fetch cache.

use std::fmt::Debug;

use budtags_wire::{Package, PackageFilter, PackageList};
use leptos_fetch::{QueryClient, QueryScopeLocal};

use super::router::CacheAction;
use crate::{
    api::packages::PackagesKey,
    query::{
        invalidate::{Refetch, invalidate_packages},
        optimistic,
        patch::{self, Patched},
        recent_changes, scopes, workspaces,
    },
};

/// Carries out one cache action.
pub fn apply(client: QueryClient, action: CacheAction) {
    match action {
        CacheAction::PatchPackage { license, package } => {
            recent_changes(|recent| recent.record(&license, &package));
            for filter in PackageFilter::ALL {
                let key = PackagesKey { license: license.clone(), filter };
                patch_list(client, scopes::packages(), &key, &package, |f| f.data.as_mut());
                patch_list(client, scopes::packages_head(), &key, &package, |r| r.as_mut().ok());
            }
        }
        CacheAction::InvalidatePackages { license } => invalidate_packages(client, &license, Refetch::Active),
        CacheAction::InvalidateAllPackages => client.invalidate_query_scope(scopes::packages()),
        // Only the organization's own events reach this connection, so its
        // whole label cache (every status tab) is the one to refresh.
        CacheAction::InvalidateLabels { .. } => client.invalidate_query_scope(workspaces::labels()),
        CacheAction::InvalidateTransfer { transfer_id } => {
            client.invalidate_query(workspaces::transfer(), transfer_id);
            client.invalidate_query_scope(workspaces::incoming_transfers());
        }
        CacheAction::PatchJobProgress { job_id, progress } => {
            workspaces::edit(client, workspaces::job(), &job_id, |job| {
                optimistic::patch_progress(job, progress)
            });
            workspaces::edit(client, workspaces::jobs(), &(), |jobs| {
                jobs.iter_mut()
                    .find(|j| j.id == job_id)
                    .is_some_and(|j| optimistic::patch_progress(j, progress))
            });
        }
        CacheAction::FinishJob { job_id, result_url, error } => {
            workspaces::edit(client, workspaces::job(), &job_id, |job| {
                optimistic::finish_job(job, result_url.clone(), error.clone())
            });
            client.invalidate_query_scope(workspaces::jobs());
        }
    }
}

/// Applies `package` to the list cached in `scope` at `key` (`list` finds it
/// in the cached value); a list the change leaves alone is not re-rendered.
fn patch_list<V: Clone + Debug + 'static>(
    client: QueryClient,
    scope: QueryScopeLocal<PackagesKey, V>,
    key: &PackagesKey,
    package: &Package,
    list: impl FnOnce(&mut V) -> Option<&mut PackageList>,
) {
    client.update_query(scope, key, |cached| {
        let changed =
            cached.and_then(list).is_some_and(|l| patch::apply(l, key.filter, package) != Patched::Unchanged);
        if !changed {
            client.untrack_update_query();
        }
    });
}
