//! The root component: app-wide services and routes.

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::{
    browser::provide_browser_env,
    outbox::provide_outbox,
    pages::{
        home::Home, job_detail::JobPage, jobs::JobsPage, labels::LabelsPage, login::LoginPage,
        not_found::NotFound, package_detail::PackagePage, packages::PackagesPage,
        transfer_detail::TransferPage, transfers::IncomingTransfersPage,
    },
    query::provide_query_client,
    realtime::live::{LiveNavigator, provide_live_updates},
    session::provide_session,
    settings::{provide_current_license, provide_settings},
    toast::{Toaster, provide_toasts},
    ui::shell::Shell,
};

#[component]
pub fn App() -> impl IntoView {
    let client = provide_query_client();
    let session = provide_session();
    provide_browser_env();
    let toasts = provide_toasts();
    let monitored = provide_settings();
    provide_current_license();
    provide_live_updates(client, toasts, monitored, session);
    provide_outbox(client, toasts, session);
    view! {
        <Router>
            <LiveNavigator />
            <Shell>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/licenses/:license/packages") view=PackagesPage />
                    <Route path=path!("/packages/:id") view=PackagePage />
                    <Route path=path!("/transfers/incoming") view=IncomingTransfersPage />
                    <Route path=path!("/transfers/:id") view=TransferPage />
                    <Route path=path!("/labels") view=LabelsPage />
                    <Route path=path!("/jobs") view=JobsPage />
                    <Route path=path!("/jobs/:id") view=JobPage />
                </Routes>
            </Shell>
        </Router>
        <Toaster />
    }
}
