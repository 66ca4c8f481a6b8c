//! Placeholder: filled in by the workspaces work.

use leptos::prelude::*;

#[component]
pub fn PackagePage() -> impl IntoView {
    view! { <section class="page"><h1>"Package"</h1></section> }
}
