//! Placeholder: filled in by the workspaces work.

use leptos::prelude::*;

#[component]
pub fn JobPage() -> impl IntoView {
    view! { <section class="page"><h1>"Label job"</h1></section> }
}
