//! `/licenses/{license}/packages?filter=active|inactive&q=…&sort=…&dir=…`:
//! the live package list, searchable and sortable (both in the address, so
//! they survive a reload), virtualized so 10,000+ rows stay smooth.
//!
//! The seed's rule, in one line below: the active list refetches every 30 s
//! while the tab is visible, the inactive list does not poll, polling stops
//! after an error; data is fresh for 20 s (see `query::scopes::packages`).
//! Live events patch the cached lists in place; while the live connection is
//! healthy it covers the list and polling drops to a 5-minute safety check.

use std::time::Duration;

use budtags_wire::{PackageFilter, PackageList};
use leptos::prelude::*;
use leptos_fetch::QueryClient;
use leptos_router::{
    NavigateOptions,
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
};

use crate::{
    api::{ApiError, packages::PackagesKey},
    query::{
        PollOptions,
        fetched::{Fetched, Phase},
        policies, scopes, use_poll,
    },
    realtime::live::use_live_connection,
    settings::{use_current_license, use_monitored},
    ui::{
        package_table::PackageTable,
        package_view::{Sort, arrange, page_query},
        status::{ErrorPanel, Freshness, QueryView},
    },
};

#[component]
pub fn PackagesPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let navigate = use_navigate();
    let license = Memo::new(move |_| params.read().get("license").unwrap_or_default());
    let filter_text = Memo::new(move |_| query.read().get("filter"));
    let parsed_filter = Memo::new(move |_| match filter_text.get() {
        None => Ok(PackageFilter::Active),
        Some(text) => text.parse::<PackageFilter>().map_err(|e| e.to_string()),
    });
    let filter = Signal::derive(move || parsed_filter.get().unwrap_or_default());
    let search = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let sort = Memo::new(move |_| {
        let q = query.read();
        Sort::from_query(q.get("sort").as_deref(), q.get("dir").as_deref())
    });

    let client: QueryClient = expect_context();
    let monitored = use_monitored();
    let current = use_current_license();
    let key = move || PackagesKey { license: license.get(), filter: filter.get() };
    // The resource keeps the list in the cache and refetched while the page
    // is open; what the page shows is the cache entry of the key in the
    // address, never another tab's rows: a resource goes on showing its last
    // value, and starts on a new key only once its current fetch is done.
    let _in_cache = client.local_resource(scopes::packages(), key);
    let packages = client.subscribe_value_local(scopes::packages(), key);
    Effect::new(move |_| {
        let key = key();
        leptos::task::spawn_local(async move { client.prefetch_query_local(scopes::packages(), key).await });
    });
    // Opened cold in the server's order, the page paints the list's first
    // rows while the whole list loads (with a search or a sort, the first
    // rows are not the ones to show).
    let head = client.local_resource(scopes::packages_head(), move || {
        let cold = packages.with(Option::is_none);
        let server_order = sort.get().column.is_none() && search.with(|s| s.trim().is_empty());
        (cold && server_order).then(key)
    });
    let lists = Lists { whole: packages, head };
    let live = use_live_connection();
    let policy = PollOptions::new(|key: &PackagesKey, state| policies::packages_page(key.filter, state))
        .with_stale_time(scopes::PACKAGES_STALE)
        .covered_by(live, Some(Duration::from_secs(300)));
    let status = use_poll(client, scopes::packages(), key, policy);

    // The first rows are enough to show the page.
    let phase = Memo::new(move |_| match packages.with(|f| Fetched::phase(f.as_ref())) {
        Phase::Loading if lists.partial() => Phase::Ready,
        phase => phase,
    });
    let stale = Signal::derive(move || packages.with(|f| f.as_ref().and_then(Fetched::stale)));
    // The server confirmed the license: it is the one to come back to.
    Effect::new(move |_| {
        if phase.get() == Phase::Ready {
            current.set(&license.get_untracked());
        }
    });
    // The cached list is read in place (never cloned whole): positions of the
    // rows to show, in order, then only the window's rows are shared out.
    let arranged = Memo::new(move |_| {
        let (search, sort) = (search.get(), sort.get());
        lists.with(|list| list.map(|l| arrange(&l.data, &search, sort)).unwrap_or_default())
    });
    let count = Signal::derive(move || arranged.with(Vec::len));
    let slice = Callback::new(move |(first, end): (usize, usize)| {
        arranged.with(|order| {
            lists.with(|list| {
                let Some(list) = list else { return Vec::new() };
                let shown = order.get(first..end.min(order.len())).unwrap_or_default();
                shown.iter().filter_map(|&i| list.data.get(i).cloned()).collect()
            })
        })
    });
    let total = move || lists.with(|list| list.map(|l| l.total));
    let retry = Callback::new(move |()| {
        client.invalidate_query(scopes::packages(), key());
    });

    let go = {
        let navigate = navigate.clone();
        move |search: &str, sort: Sort| {
            let inactive = filter.get_untracked() == PackageFilter::Inactive;
            let path = format!(
                "/licenses/{}/packages{}",
                license.get_untracked(),
                page_query(inactive, search, sort)
            );
            navigate(&path, NavigateOptions { replace: true, scroll: false, ..Default::default() });
        }
    };
    let on_sort = {
        let go = go.clone();
        Callback::new(move |column| go(&search.get_untracked(), sort.get_untracked().toggled(column)))
    };
    // The search box updates at once; the address (and the rows) after a
    // short pause in typing.
    let typed = RwSignal::new(search.get_untracked());
    Effect::new(move |_| typed.set(search.get()));
    let debounce = StoredValue::new_local(None::<TimeoutHandle>);
    let on_search = move |ev| {
        let text = event_target_value(&ev);
        typed.set(text.clone());
        if let Some(handle) = debounce.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        let go = go.clone();
        let handle = set_timeout_with_handle(move || go(&text, sort.get_untracked()), SEARCH_PAUSE).ok();
        debounce.set_value(handle);
    };

    let tab = move |f: PackageFilter, label: &'static str| {
        let href = move || {
            format!(
                "/licenses/{}/packages{}",
                license.get(),
                page_query(f == PackageFilter::Inactive, &search.get(), sort.get())
            )
        };
        view! {
            <A href=href attr:class=move || if filter.get() == f { "tab tab--on" } else { "tab" }>
                {label}
            </A>
        }
    };
    let count_text = move || {
        let total = total()?;
        let shown = count.get();
        Some(if lists.partial() && shown < total {
            format!("First {shown} of {total} packages, loading the rest…")
        } else if search.with(|s| s.trim().is_empty()) {
            format!("{total} packages")
        } else {
            format!("{shown} of {total} packages")
        })
    };

    view! {
        <section class="page">
            <div class="toolbar">
                <nav class="tabs" aria-label="Package filter">
                    {tab(PackageFilter::Active, "Active")}
                    {tab(PackageFilter::Inactive, "Inactive")}
                </nav>
                <label class="field search">
                    <span class="field__label">"Search"</span>
                    <input
                        type="search"
                        placeholder="Tag, item or category"
                        data-testid="search"
                        prop:value=move || typed.get()
                        on:input=on_search
                    />
                </label>
                <span class="count" data-testid="count">{count_text}</span>
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
            {move || match parsed_filter.get() {
                Err(message) => view! { <ErrorPanel error=ApiError::BadRequest(message) /> }.into_any(),
                Ok(_) => view! {
                    <QueryView phase stale what="packages" retry>
                        <PackageTable count slice sort=sort.into() on_sort />
                        <Show when=move || count.get() == 0>
                            <p class="empty" data-testid="empty">
                                {move || if search.with(|s| s.trim().is_empty()) {
                                    "No packages in this list.".to_owned()
                                } else {
                                    format!("No packages match “{}”.", search.get().trim())
                                }}
                            </p>
                        </Show>
                    </QueryView>
                }.into_any(),
            }}
        </section>
    }
}

/// The page's two reads of a list: the whole list, and its first rows
/// (fetched only while the whole one is on its way).
#[derive(Clone, Copy)]
struct Lists {
    whole: Signal<Option<Fetched<PackageList>>, LocalStorage>,
    head: LocalResource<Option<Result<PackageList, ApiError>>>,
}

impl Lists {
    /// Reads the list to show: the whole one once it is here, else its
    /// first rows; `None` while neither is (or the whole list failed).
    fn with<R>(self, f: impl FnOnce(Option<&PackageList>) -> R) -> R {
        self.whole.with(|whole| match whole {
            Some(whole) => f(whole.data.as_ref()),
            None => {
                self.head.with(|head| f(head.as_ref().and_then(Option::as_ref).and_then(|h| h.as_ref().ok())))
            }
        })
    }

    /// Whether only the first rows are here.
    fn partial(self) -> bool {
        self.whole.with(Option::is_none)
            && self.head.with(|head| head.as_ref().and_then(Option::as_ref).is_some_and(Result::is_ok))
    }
}

/// How long typing must pause before the search applies.
const SEARCH_PAUSE: Duration = Duration::from_millis(150);
