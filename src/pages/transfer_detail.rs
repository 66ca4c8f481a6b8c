//! Placeholder: filled in by the workspaces work.

use leptos::prelude::*;

#[component]
pub fn TransferPage() -> impl IntoView {
    view! { <section class="page"><h1>"Transfer"</h1></section> }
}
