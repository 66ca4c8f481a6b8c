//! Placeholder: filled in by the workspaces work.

use leptos::prelude::*;

#[component]
pub fn JobsPage() -> impl IntoView {
    view! { <section class="page"><h1>"Label jobs"</h1></section> }
}
