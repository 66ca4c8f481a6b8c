//! Loading, error and freshness states, designed once and used everywhere.

use leptos::prelude::*;

use super::format::clock_time;
use crate::{
    api::ApiError,
    query::{
        PollStatus,
        fetched::{Phase, Stale},
    },
};

/// The one way a page shows a query: a spinner until there is data, the full
/// error panel only when there is none to show, and otherwise the page itself
/// (`children`, built again only when the phase changes), under a quiet
/// banner while a refresh is failing.
#[component]
pub fn QueryView(
    #[prop(into)] phase: Signal<Phase>,
    #[prop(into)] stale: Signal<Option<Stale>>,
    what: &'static str,
    retry: Callback<()>,
    children: ChildrenFn,
) -> impl IntoView {
    let phase = Memo::new(move |_| phase.get());
    view! {
        {move || match phase.get() {
            Phase::Loading => view! { <Loading what=what /> }.into_any(),
            Phase::Failed(error) => view! { <ErrorPanel error retry /> }.into_any(),
            Phase::Ready => view! { <StaleBanner stale retry /> {children()} }.into_any(),
        }}
    }
}

/// "Couldn't refresh at 14:02 — showing data from 14:01 · Retry now": the data
/// stays on screen while the refresh fails; the page retries by itself too.
#[component]
pub fn StaleBanner(#[prop(into)] stale: Signal<Option<Stale>>, retry: Callback<()>) -> impl IntoView {
    move || {
        stale.get().map(|s| {
            let why = match &s.error {
                ApiError::Offline => "you are offline".to_owned(),
                ApiError::Network(_) => "the server cannot be reached".to_owned(),
                ApiError::Timeout => "the server took too long".to_owned(),
                ApiError::RateLimited { .. } => "the server is busy".to_owned(),
                ApiError::Server { status, .. } => format!("the server had a problem, HTTP {status}"),
                other => other.to_string(),
            };
            let from = if s.data_from > 0.0 { clock_time(s.data_from) } else { "earlier".into() };
            view! {
                <div class="stale" role="status" data-testid="stale">
                    <span>
                        {format!("Couldn't refresh at {} ({why}) — showing data from {from}.", clock_time(s.failed_at))}
                    </span>
                    " "
                    <button class="button button--quiet" data-testid="retry-now" on:click=move |_| retry.run(())>
                        "Retry now"
                    </button>
                </div>
            }
        })
    }
}

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
