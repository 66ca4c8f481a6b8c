//! Loading, error and freshness states, designed once and used everywhere.

use leptos::prelude::*;

use super::format::clock_time;
use crate::{api::ApiError, query::PollStatus};

#[component]
pub fn Loading(#[prop(into)] what: String) -> impl IntoView {
    view! {
        <div class="panel panel--loading" aria-busy="true">
            <span class="spinner" aria-hidden="true"></span>
            {format!("Loading {what}…")}
        </div>
    }
}

/// A failed query: what went wrong, and a way to try again (when trying
/// again could help).
#[component]
pub fn ErrorPanel(error: ApiError, #[prop(optional)] retry: Option<Callback<()>>) -> impl IntoView {
    let title = match error {
        ApiError::NotFound(_) => "Not found",
        ApiError::BadRequest(_) | ApiError::Invalid { .. } => "That request was not valid",
        ApiError::Network(_) => "Cannot reach the server",
        ApiError::Offline => "You are offline",
        _ => "Something went wrong",
    };
    view! {
        <section class="panel panel--error" role="alert" data-testid="error">
            <h2>{title}</h2>
            <p>{error.to_string()}</p>
            {retry.map(|retry| view! { <button class="button" on:click=move |_| retry.run(())>"Try again"</button> " " })}
            <a class="button button--quiet" href="/">"Start over"</a>
        </section>
    }
}

/// "Refreshing…" while a fetch is in flight, and when the data last arrived.
#[component]
pub fn Freshness(status: PollStatus) -> impl IntoView {
    view! {
        <span class="freshness" aria-live="polite">
            <span class="refreshing" data-testid="refreshing" class:hidden=move || !status.fetching.get()>
                <span class="spinner" aria-hidden="true"></span>
                "Refreshing…"
            </span>
            <span data-testid="updated-at">
                {move || status.updated_at.get().map(|at| format!("Updated {}", clock_time(at)))}
            </span>
        </span>
    }
}
