//! The parts of the app the browser fetches only when first needed: one chunk
//! per workspace page (cut from the module by the release build,
//! `xtask/src/web.rs`), so opening the packages page does not download the
//! label queue, the jobs or the scanner. The live transports other than SSE
//! are split the same way (`realtime::live`).
//!
//! A chunk that cannot be fetched (offline before it was ever kept, or a new
//! deploy removed the files of the one this page came from) never stops the
//! app: the page says so and offers a reload, which picks up the new deploy.

use leptos::{prelude::*, wasm_split::SplitLoaderError};
use leptos_router::LazyRoute;

use crate::pages::{
    job_detail::JobPage, jobs::JobsPage, labels::LabelsPage, login::LoginPage, package_detail::PackagePage,
    packages::PackagesPage, transfer_detail::TransferPage, transfers::IncomingTransfersPage,
};

/// A chunk the browser could not fetch or start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChunkMissing;

impl From<SplitLoaderError> for ChunkMissing {
    fn from(_: SplitLoaderError) -> Self {
        ChunkMissing
    }
}

/// Declares a route whose page lives in a chunk: `$route` for the router,
/// `$load` its split point, `$workspace` the chunk (a workspace's pages share
/// one: the list and the detail are used together).
macro_rules! lazy_page {
    ($route:ident, $workspace:ident, $load:ident, $page:ident) => {
        pub(crate) struct $route;

        #[leptos::wasm_split::wasm_split($workspace, fallible, wasm_split_path = ::leptos::wasm_split)]
        fn $load() -> Result<AnyView, ChunkMissing> {
            Ok(view! { <$page /> }.into_any())
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                $load().await.unwrap_or_else(|_| view! { <UpdatePanel /> }.into_any())
            }
        }
    };
}

lazy_page!(LoginRoute, signin, login_page, LoginPage);
lazy_page!(PackagesRoute, packages, packages_page, PackagesPage);
lazy_page!(PackageRoute, packages, package_page, PackagePage);
lazy_page!(TransfersRoute, transfers, transfers_page, IncomingTransfersPage);
lazy_page!(TransferRoute, transfers, transfer_page, TransferPage);
lazy_page!(LabelsRoute, labels, labels_page, LabelsPage);
lazy_page!(JobsRoute, jobs, jobs_page, JobsPage);
lazy_page!(JobRoute, jobs, job_page, JobPage);

/// What a page shows when its chunk could not be fetched.
#[component]
pub(crate) fn UpdatePanel() -> impl IntoView {
    view! {
        <section class="panel panel--error" role="alert" data-testid="chunk-missing">
            <h2>"This page could not be loaded"</h2>
            <p>
                "The app may have been updated, or the connection dropped while it loaded. "
                "Reloading fetches the current version."
            </p>
            <button class="button" on:click=|_| { let _ = window().location().reload(); }>
                "Reload to update"
            </button>
        </section>
    }
}
