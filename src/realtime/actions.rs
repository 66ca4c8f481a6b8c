//! Carrying out the router's cache actions on the leptos-fetch cache.

use budtags_wire::PackageFilter;
use leptos_fetch::QueryClient;

use super::router::CacheAction;
use crate::{
    api::packages::PackagesKey,
    query::{
        invalidate::{Refetch, invalidate_packages},
        patch::{self, Patched},
        recent_changes,
        scopes::{self, Fetched},
    },
};

/// Carries out one cache action.
pub fn apply(client: QueryClient, action: CacheAction) {
    match action {
        CacheAction::PatchPackage { license, package } => {
            recent_changes(|recent| recent.record(&license, &package));
            for filter in PackageFilter::ALL {
                let key = PackagesKey { license: license.clone(), filter };
                client.update_query(scopes::packages(), &key, |cached| {
                    let changed = match cached {
                        Some(Fetched { result: Ok(list), .. }) => {
                            patch::apply(list, filter, &package) != Patched::Unchanged
                        }
                        _ => false,
                    };
                    if !changed {
                        client.untrack_update_query();
                    }
                });
            }
        }
        CacheAction::InvalidatePackages { license } => invalidate_packages(client, &license, Refetch::Active),
        CacheAction::InvalidateAllPackages => client.invalidate_query_scope(scopes::packages()),
        // Labels, transfers and jobs have no cached queries yet (the workspaces
        // issue adds them); until then there is nothing to refresh.
        CacheAction::InvalidateLabels { .. }
        | CacheAction::InvalidateTransfer { .. }
        | CacheAction::PatchJobProgress { .. }
        | CacheAction::FinishJob { .. } => {}
    }
}
