//! The frame around every page: brand, the workspace navigation, the license
//! switcher, the live-connection badge and the user menu. It is also the
//! door: pages other than `/login` render only for a signed-in person; anyone
//! else is sent to `/login?next=<where they were>`.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    NavigateOptions,
    hooks::{use_location, use_navigate},
};

use super::{license_switcher::LicenseSwitcher, status::Loading};
use crate::{
    outbox::use_outbox,
    realtime::{ConnectionState, live::use_live_connection},
    session::{login_path, use_session},
    settings::use_current_license,
};

#[component]
pub fn Shell(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let on_login = Memo::new(move |_| location.pathname.get() == "/login");
    let signed_in = Memo::new(move |_| session.signed_in());
    let navigate = use_navigate();
    // Signed out (or the session ended) on a page that needs a session: to
    // the login page, remembering where the person was.
    Effect::new(move |_| {
        if session.loaded.get() && !signed_in.get() && !on_login.get() {
            // The router's `search` comes without its `?`.
            let search = location.search.get_untracked();
            let search = search.trim_start_matches('?');
            let path = location.pathname.get_untracked();
            let here = if search.is_empty() { path } else { format!("{path}?{search}") };
            navigate(&login_path(&here), NavigateOptions { replace: true, ..Default::default() });
        }
    });
    let show_page = Memo::new(move |_| on_login.get() || signed_in.get());
    view! {
        <header class="topbar">
            <a class="brand" href="/">"BudTags"</a>
            <Show when=move || signed_in.get()>
                <MainNav />
                <LicenseSwitcher />
                <ConnectionBadge />
                <OutboxBadge />
                <UserMenu />
            </Show>
        </header>
        <main class="content">
            <Show
                when=move || show_page.get()
                fallback=move || {
                    view! { <Loading what=if session.loaded.get() { "the sign-in page" } else { "your session" } /> }
                }
            >
                {children()}
            </Show>
        </main>
    }
}

/// The four workspaces; the current one is marked (`aria-current="page"`).
#[component]
fn MainNav() -> impl IntoView {
    let location = use_location();
    let current = use_current_license();
    let packages_href = move || match current.get() {
        Some(license) => format!("/licenses/{license}/packages"),
        None => "/".to_owned(),
    };
    let link = move |href: Signal<String>, prefixes: &'static [&'static str], label: &'static str| {
        let active = move || prefixes.iter().any(|p| location.pathname.with(|path| path.starts_with(p)));
        view! {
            <a
                class="mainnav__link"
                href=move || href.get()
                aria-current=move || active().then_some("page")
                class:mainnav__link--on=active
            >
                {label}
            </a>
        }
    };
    view! {
        <nav class="mainnav" aria-label="Workspaces">
            {link(Signal::derive(packages_href), &["/licenses/", "/packages/"], "Packages")}
            {link(Signal::derive(|| "/transfers/incoming".to_owned()), &["/transfers"], "Incoming transfers")}
            {link(Signal::derive(|| "/labels".to_owned()), &["/labels"], "Label approvals")}
            {link(Signal::derive(|| "/jobs".to_owned()), &["/jobs"], "Label jobs")}
        </nav>
    }
}

#[component]
fn ConnectionBadge() -> impl IntoView {
    let connection = use_live_connection();
    let class = move || match connection.get() {
        ConnectionState::Connected => "badge badge--ok",
        ConnectionState::Connecting | ConnectionState::Reconnecting => "badge badge--warn",
        ConnectionState::Offline | ConnectionState::Failed => "badge badge--bad",
    };
    view! {
        <span class=class data-testid="connection" title="Live updates from the server">
            {move || connection.get().label()}
        </span>
    }
}

/// "3 scans waiting to send": writes kept on this device until the server
/// can be reached (nothing when none wait).
#[component]
fn OutboxBadge() -> impl IntoView {
    let outbox = use_outbox();
    move || {
        outbox.summary().map(|text| {
            view! {
                <span class="badge badge--warn" role="status" data-testid="outbox" title="Sent by themselves once the server answers">
                    {text}
                </span>
            }
        })
    }
}

/// Who is signed in (name, role, organization) and "Sign out".
#[component]
fn UserMenu() -> impl IntoView {
    let session = use_session();
    let me = move || session.me.get();
    let navigate = use_navigate();
    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            if let Err(e) = session.sign_out().await {
                // Signed out here anyway; the server expires the session on its own.
                leptos::logging::warn!("signing out on the server failed: {e}");
            }
            navigate("/login", NavigateOptions { replace: true, ..Default::default() });
        });
    };
    view! {
        <details class="usermenu" data-testid="user-menu">
            <summary class="usermenu__button">
                <span class="usermenu__name" data-testid="user-name">{move || me().map(|m| m.name)}</span>
            </summary>
            <div class="usermenu__panel">
                <p class="usermenu__who">
                    <strong>{move || me().map(|m| m.name)}</strong>
                    <span data-testid="user-role">{move || me().map(|m| m.role.title())}</span>
                    <span data-testid="user-org">{move || me().map(|m| m.organization_name)}</span>
                    <span class="muted">{move || me().map(|m| m.email)}</span>
                </p>
                <button class="button button--quiet" data-testid="sign-out" on:click=sign_out>
                    "Sign out"
                </button>
            </div>
        </details>
    }
}
