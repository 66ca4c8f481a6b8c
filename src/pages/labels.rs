//! Placeholder: filled in by the workspaces work.

use leptos::prelude::*;

#[component]
pub fn LabelsPage() -> impl IntoView {
    view! { <section class="page"><h1>"Label approvals"</h1></section> }
}
