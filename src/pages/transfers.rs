//! Placeholder: filled in by the workspaces work.

use leptos::prelude::*;

#[component]
pub fn IncomingTransfersPage() -> impl IntoView {
    view! { <section class="page"><h1>"Incoming transfers"</h1></section> }
}
