//! `/jobs/{id}`: one label job, its progress, and its result.
//!
//! The bar moves with `JobProgressUpdated` on `job.{id}` (the router patches
//! the cached job, `query::optimistic::patch_progress`). The seed's 2 s poll
//! (`policies::job`) runs as well until the job completes or fails — on
//! purpose not covered by the live connection: a job lasts seconds, the poll
//! is one small JSON every 2 s only while it runs, and it keeps the bar
//! honest if the channel subscription lags behind the job. Completed: open
//! or download the label sheet. Failed: the error, and Retry.

use budtags_wire::{Job, JobStatus, Role};
use leptos::{prelude::*, task::spawn_local};
use leptos_fetch::QueryClient;
use leptos_router::hooks::use_params_map;

use super::jobs::{status_pill, status_text, tone};
use crate::{
    api::{ApiError, jobs as calls},
    query::{PollOptions, fetched::Fetched, policies, use_poll, workspaces},
    realtime::live::use_follow_channel,
    session::use_session,
    ui::{
        format::timestamp,
        progress::ProgressBar,
        status::{Freshness, QueryView},
    },
};

#[component]
pub fn JobPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    view! { {move || view! { <JobView id=id.get() /> }} }
}

#[component]
fn JobView(id: String) -> impl IntoView {
    let client: QueryClient = expect_context();
    let session = use_session();
    let channel = format!("job.{id}");
    use_follow_channel(move || Some(channel.clone()));
    let key = {
        let id = id.clone();
        move || id.clone()
    };
    let job = client.local_resource(workspaces::job(), key.clone());
    let policy = PollOptions::new(|_: &String, state| policies::job(state));
    let status = use_poll(client, workspaces::job(), key.clone(), policy);
    let retry_fetch = {
        let key = key.clone();
        Callback::new(move |()| {
            client.invalidate_query(workspaces::job(), key());
        })
    };
    let retry_error = RwSignal::new(None::<String>);
    let retrying = RwSignal::new(false);
    let retry_job = {
        let id = id.clone();
        Callback::new(move |()| {
            let id = id.clone();
            retrying.set(true);
            retry_error.set(None);
            spawn_local(async move {
                match calls::retry(&id).await {
                    Ok(job) => {
                        client.set_query_local(workspaces::job(), id.clone(), workspaces::fresh(job));
                        client.invalidate_query_scope(workspaces::jobs());
                    }
                    Err(error) => {
                        if matches!(error, ApiError::Conflict(_)) {
                            client.invalidate_query(workspaces::job(), id.clone());
                        }
                        retry_error.set(Some(error.to_string()));
                    }
                }
                retrying.set(false);
            });
        })
    };

    let phase = Signal::derive(move || job.with(|j| Fetched::phase(j.as_ref())));
    let stale = Signal::derive(move || job.with(|j| j.as_ref().and_then(Fetched::stale)));
    let data = Signal::derive(move || job.with(|j| j.as_ref().and_then(|j| j.data.clone())));
    let field = move |f: fn(&Job) -> String| move || data.with(|j| j.as_ref().map(f).unwrap_or_default());
    let job_status = move || data.with(|j| j.as_ref().map(|j| j.status));
    let progress = Signal::derive(move || data.with(|j| j.as_ref().map_or(0, |j| j.progress)));
    let bar_tone = Signal::derive(move || job_status().map_or("", tone));

    view! {
        <section class="page">
            <div class="toolbar">
                <a class="button button--quiet" href="/jobs">"← Label jobs"</a>
                <h1 class="page__title">"Label sheet job " <span class="mono">{id.clone()}</span></h1>
                <Freshness status />
            </div>
            <QueryView phase stale what="the job" retry=retry_fetch>
                    <div class="panel job">
                        <div class="job__head">
                            <span class=move || job_status().map_or("pill", status_pill) data-testid="job-status">
                                {move || job_status().map_or("", status_text)}
                            </span>
                            <span class="sub">
                                {field(|j| format!("{} labels · started by {} · {}", j.label_ids.len(), j.created_by, timestamp(&j.created_at)))}
                            </span>
                        </div>
                        <ProgressBar value=progress label="Label sheet progress" tone=bar_tone />
                        {move || match job_status() {
                            Some(JobStatus::Completed) => {
                                // The contract's address for the sheet (`resultUrl` says the same
                                // for new jobs; older demo rows may carry another).
                                let id = data.with(|j| j.as_ref().map(|j| j.id.clone())).unwrap_or_default();
                                let open = calls::sheet_url(&id, false);
                                view! {
                                    <div class="job__result" data-testid="job-done">
                                        <p>"The label sheet is ready: one scannable barcode per label copy."</p>
                                        <a class="button" href=open target="_blank" rel="noopener" data-testid="open-sheet">
                                            "Open label sheet"
                                        </a>
                                        " "
                                        <a class="button button--quiet" href=calls::sheet_url(&id, true) data-testid="download-sheet" download>
                                            "Download"
                                        </a>
                                    </div>
                                }
                                .into_any()
                            }
                            Some(JobStatus::Failed) => view! {
                                <div class="job__failed" role="alert" data-testid="job-failed">
                                    <p class="field-error">{field(|j| j.error.clone().unwrap_or_else(|| "The job failed.".into()))}</p>
                                    {session.can(Role::can_operate).then(|| view! {
                                        <button class="button" data-testid="retry" disabled=move || retrying.get() on:click=move |_| retry_job.run(())>
                                            {move || if retrying.get() { "Retrying…" } else { "Retry" }}
                                        </button>
                                    })}
                                    {move || retry_error.get().map(|e| view! { <p class="field-error" data-testid="retry-error">{e}</p> })}
                                </div>
                            }
                            .into_any(),
                            _ => view! {
                                <p class="sub" aria-live="polite">"Generating… this page updates by itself."</p>
                            }
                            .into_any(),
                        }}
                    </div>
            </QueryView>
        </section>
    }
}
