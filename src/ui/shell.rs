//! The frame around every page: brand and the live-connection badge.

use leptos::prelude::*;

use crate::realtime::{ConnectionState, live::use_live_connection};

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let connection = use_live_connection();
    let class = move || match connection.get() {
        ConnectionState::Connected => "badge badge--ok",
        ConnectionState::Connecting | ConnectionState::Reconnecting => "badge badge--warn",
        ConnectionState::Offline | ConnectionState::Failed => "badge badge--bad",
    };
    view! {
        <header class="topbar">
            <a class="brand" href="/">"BudTags"</a>
            <span class=class data-testid="connection" title="Live updates from the server">
                {move || connection.get().label()}
            </span>
        </header>
        <main class="content">{children()}</main>
    }
}
