//! Placeholder: filled in by the workspaces work.

use leptos::prelude::*;

#[component]
pub fn LoginPage() -> impl IntoView {
    view! { <section class="page"><h1>"Sign in"</h1></section> }
}
