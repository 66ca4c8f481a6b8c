//! The root component: app-wide services and routes.

use leptos::prelude::*;
use leptos_router::{
    Lazy,
    components::{Route, Router, Routes},
    path,
};

use crate::{
    browser::provide_browser_env,
    chunks::{
        JobRoute, JobsRoute, LabelsRoute, LoginRoute, PackageRoute, PackagesRoute, TransferRoute,
        TransfersRoute,
    },
    outbox::provide_outbox,
    pages::{home::Home, not_found::NotFound},
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
                    <Route path=path!("/login") view={Lazy::<LoginRoute>::new()} />
                    <Route path=path!("/licenses/:license/packages") view={Lazy::<PackagesRoute>::new()} />
                    <Route path=path!("/packages/:id") view={Lazy::<PackageRoute>::new()} />
                    <Route path=path!("/transfers/incoming") view={Lazy::<TransfersRoute>::new()} />
                    <Route path=path!("/transfers/:id") view={Lazy::<TransferRoute>::new()} />
                    <Route path=path!("/labels") view={Lazy::<LabelsRoute>::new()} />
                    <Route path=path!("/jobs") view={Lazy::<JobsRoute>::new()} />
                    <Route path=path!("/jobs/:id") view={Lazy::<JobRoute>::new()} />
                </Routes>
            </Shell>
        </Router>
        <Toaster />
    }
}
