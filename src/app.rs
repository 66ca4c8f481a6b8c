//! The root component: app-wide services and routes.

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::{
    browser::provide_browser_env,
    pages::{home::Home, not_found::NotFound, packages::PackagesPage},
    query::provide_query_client,
    realtime::live::{LiveNavigator, provide_live_updates},
    settings::provide_settings,
    toast::{Toaster, provide_toasts},
    ui::shell::Shell,
};

#[component]
pub fn App() -> impl IntoView {
    let client = provide_query_client();
    provide_browser_env();
    let toasts = provide_toasts();
    let monitored = provide_settings();
    provide_live_updates(client, toasts, monitored);
    view! {
        <Router>
            <LiveNavigator />
            <Shell>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/licenses/:license/packages") view=PackagesPage />
                </Routes>
            </Shell>
        </Router>
        <Toaster />
    }
}
