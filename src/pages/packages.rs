//! `/licenses/{license}/packages?filter=active|inactive`: the live package list.
//!
//! The seed's rule, in one line below: the active list refetches every 30 s
//! while the tab is visible, the inactive list does not poll, polling stops
//! after an error; data is fresh for 20 s (see `query::scopes::packages`).
//! Live events patch the cached lists in place; while the live connection is
//! healthy it covers the list and polling drops to a 5-minute safety check.

use std::time::Duration;

use budtags_wire::{Package, PackageFilter};
use leptos::prelude::*;
use leptos_fetch::QueryClient;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    api::{ApiError, packages::PackagesKey},
    query::{PollOptions, policies, scopes, use_poll},
    realtime::live::use_live_connection,
    settings::use_monitored,
    ui::{
        license_switcher::LicenseSwitcher,
        package_table::PackageTable,
        status::{ErrorPanel, Freshness, Loading},
    },
};

/// What the page body shows; changes only when the phase does, so a live
/// patch updates rows without rebuilding the table.
#[derive(Clone, PartialEq)]
enum Phase {
    Loading,
    Failed(ApiError),
    Ready,
}

#[component]
pub fn PackagesPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let license = Memo::new(move |_| params.read().get("license").unwrap_or_default());
    let filter_text = Memo::new(move |_| query.read().get("filter"));
    let parsed_filter = Memo::new(move |_| match filter_text.get() {
        None => Ok(PackageFilter::Active),
        Some(text) => text.parse::<PackageFilter>().map_err(|e| e.to_string()),
    });
    let filter = Signal::derive(move || parsed_filter.get().unwrap_or_default());

    let client: QueryClient = expect_context();
    let monitored = use_monitored();
    let key = move || PackagesKey { license: license.get(), filter: filter.get() };
    let packages = client.local_resource(scopes::packages(), key);
    let live = use_live_connection();
    let policy = PollOptions::new(|key: &PackagesKey, state| policies::packages_page(key.filter, state))
        .with_stale_time(scopes::PACKAGES_STALE)
        .covered_by(live, Some(Duration::from_secs(300)));
    let status = use_poll(client, scopes::packages(), key, policy);

    let phase = Memo::new(move |_| match packages.get().map(|f| f.result) {
        None => Phase::Loading,
        Some(Ok(_)) => Phase::Ready,
        Some(Err(e)) => Phase::Failed(e),
    });
    let rows: Signal<Vec<Package>> = Signal::derive(move || {
        packages.with(|f| {
            f.as_ref().and_then(|f| f.result.as_ref().ok()).map(|l| l.data.clone()).unwrap_or_default()
        })
    });
    let total = move || packages.with(|f| f.as_ref().and_then(|f| f.result.as_ref().ok()).map(|l| l.total));
    let retry = Callback::new(move |()| {
        client.invalidate_query(scopes::packages(), key());
    });

    let tab = move |f: PackageFilter, label: &'static str| {
        let href = move || format!("/licenses/{}/packages?filter={f}", license.get());
        view! {
            <A href=href attr:class=move || if filter.get() == f { "tab tab--on" } else { "tab" }>
                {label}
            </A>
        }
    };

    view! {
        <section class="page">
            <div class="toolbar">
                <LicenseSwitcher current=license filter />
                <nav class="tabs" aria-label="Package filter">
                    {tab(PackageFilter::Active, "Active")}
                    {tab(PackageFilter::Inactive, "Inactive")}
                </nav>
                <span class="count" data-testid="count">
                    {move || total().map(|n| format!("{n} packages"))}
                </span>
                <label class="notify" title="Show a toast when this license's inventory changes">
                    <input
                        type="checkbox"
                        data-testid="notify"
                        prop:checked=move || monitored.contains(&license.get())
                        on:change=move |ev| monitored.set(&license.get_untracked(), event_target_checked(&ev))
                    />
                    "Notify me"
                </label>
                <Freshness status />
            </div>
            {move || match (parsed_filter.get(), phase.get()) {
                (Err(message), _) => view! { <ErrorPanel error=ApiError::BadRequest(message) /> }.into_any(),
                (Ok(_), Phase::Loading) => view! { <Loading what="packages" /> }.into_any(),
                (Ok(_), Phase::Failed(error)) => view! { <ErrorPanel error retry /> }.into_any(),
                (Ok(_), Phase::Ready) => view! { <PackageTable rows /> }.into_any(),
            }}
        </section>
    }
}
