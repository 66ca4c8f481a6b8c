//! `/jobs`: choose approved labels and generate a printable label sheet, and
//! the organization's recent jobs. Generating queues a job on the server and
//! opens its page (`/jobs/{id}`), where its progress shows.

use std::collections::BTreeSet;

use budtags_wire::{Job, JobStatus, Label, LabelStatus, Role};
use leptos::{prelude::*, task::spawn_local};
use leptos_fetch::QueryClient;
use leptos_router::hooks::use_navigate;

use crate::{
    api::{ApiError, jobs as calls},
    query::{PollOptions, fetched::Fetched, policies, use_poll, workspaces},
    session::use_session,
    ui::{
        format::{quantity, timestamp},
        progress::ProgressBar,
        status::QueryView,
    },
};

#[component]
pub fn JobsPage() -> impl IntoView {
    let client: QueryClient = expect_context();
    let session = use_session();
    let navigate = use_navigate();
    let approved = client.local_resource(workspaces::labels(), || LabelStatus::Approved);
    let jobs = client.local_resource(workspaces::jobs(), || ());
    use_poll(
        client,
        workspaces::jobs(),
        || (),
        PollOptions::new(|_: &(), state| policies::running_jobs(state)),
    );
    let selected = RwSignal::new(BTreeSet::<i64>::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let can_generate = move || session.can(Role::can_operate);

    let labels: Signal<Vec<Label>> = Signal::derive(move || {
        approved.with(|f| f.as_ref().and_then(|f| f.data.clone()).unwrap_or_default())
    });
    let approved_phase = Signal::derive(move || approved.with(|f| Fetched::phase(f.as_ref())));
    let approved_stale = Signal::derive(move || approved.with(|f| f.as_ref().and_then(Fetched::stale)));
    let retry_approved = Callback::new(move |()| {
        client.invalidate_query(workspaces::labels(), LabelStatus::Approved);
    });
    let jobs_phase = Signal::derive(move || jobs.with(|f| Fetched::phase(f.as_ref())));
    let jobs_stale = Signal::derive(move || jobs.with(|f| f.as_ref().and_then(Fetched::stale)));
    let job_list = move || jobs.with(|f| f.as_ref().and_then(|f| f.data.clone())).unwrap_or_default();
    let retry_jobs = Callback::new(move |()| {
        client.invalidate_query(workspaces::jobs(), ());
    });
    let no_labels = Memo::new(move |_| labels.with(Vec::is_empty));
    // A label that left the approved list (printed elsewhere, data reset) is no longer selectable.
    Effect::new(move |_| {
        let ids: BTreeSet<i64> = labels.with(|l| l.iter().map(|l| l.id).collect());
        if selected.with_untracked(|s| !s.is_subset(&ids)) {
            selected.update(|s| s.retain(|id| ids.contains(id)));
        }
    });
    let all_selected = move || {
        let count = labels.with(Vec::len);
        count > 0 && selected.with(BTreeSet::len) == count
    };
    let toggle_all = move |on: bool| {
        selected.set(if on { labels.with(|l| l.iter().map(|l| l.id).collect()) } else { BTreeSet::new() });
    };
    let generate = move |_| {
        let ids: Vec<i64> = selected.get_untracked().into_iter().collect();
        if ids.is_empty() {
            error.set(Some("Select at least one approved label.".into()));
            return;
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match calls::create(ids).await {
                Ok(job) => {
                    client.set_query_local(workspaces::job(), job.id.clone(), workspaces::fresh(job.clone()));
                    client.invalidate_query_scope(workspaces::jobs());
                    selected.set(BTreeSet::new());
                    navigate(&format!("/jobs/{}", job.id), Default::default());
                }
                Err(ApiError::Invalid { message, fields }) => {
                    error.set(Some(fields.get("labelIds").cloned().unwrap_or(message)));
                }
                Err(other) => error.set(Some(other.to_string())),
            }
            busy.set(false);
        });
    };

    view! {
        <section class="page">
            <div class="toolbar">
                <h1 class="page__title">"Label jobs"</h1>
            </div>
            <div class="panel">
                <div class="toolbar toolbar--tight">
                    <h2 class="panel__title">"Approved labels"</h2>
                    <label class="notify">
                        <input
                            type="checkbox"
                            data-testid="select-all"
                            prop:checked=all_selected
                            on:change=move |ev| toggle_all(event_target_checked(&ev))
                        />
                        {move || format!("Select all {}", labels.with(Vec::len))}
                    </label>
                    <span class="count" data-testid="selected-count">
                        {move || format!("{} of {} selected", selected.with(BTreeSet::len), labels.with(Vec::len))}
                    </span>
                    {move || {
                        can_generate()
                            .then(|| view! {
                                <button
                                    class="button"
                                    data-testid="generate"
                                    disabled=move || busy.get() || selected.with(BTreeSet::is_empty)
                                    on:click=generate.clone()
                                >
                                    {move || if busy.get() { "Queuing…" } else { "Generate label sheet" }}
                                </button>
                            })
                    }}
                </div>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert" data-testid="job-error">{e}</p> })}
                <QueryView phase=approved_phase stale=approved_stale what="approved labels" retry=retry_approved>
                {move || if no_labels.get() {
                    view! {
                        <div class="empty" data-testid="empty-approved">
                            "No approved labels to print. Approve some under Label approvals."
                        </div>
                    }
                    .into_any()
                } else {
                    view! {
                        <ul class="picklist" data-testid="approved-labels">
                            <For
                                each=move || labels.get()
                                key=|l: &Label| l.id
                                children=move |l: Label| {
                                    let id = l.id;
                                    view! {
                                        <li>
                                            <label class="pick">
                                                <input
                                                    type="checkbox"
                                                    data-testid="pick"
                                                    data-id=id.to_string()
                                                    prop:checked=move || selected.with(|s| s.contains(&id))
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        selected.update(|s| {
                                                            if on { s.insert(id); } else { s.remove(&id); }
                                                        });
                                                    }
                                                />
                                                <span class="pick__product">{l.product_name.clone()}</span>
                                                <span class="mono">{l.package_label.clone()}</span>
                                                <span>{quantity(l.quantity, &l.unit_of_measure_abbreviation)}</span>
                                                <span class="pill">{format!("× {}", l.copies)}</span>
                                            </label>
                                        </li>
                                    }
                                }
                            />
                        </ul>
                    }
                    .into_any()
                }}
                </QueryView>
            </div>
            <h2 class="section-title">"Recent jobs"</h2>
            <QueryView phase=jobs_phase stale=jobs_stale what="jobs" retry=retry_jobs>
                {move || {
                    let list = job_list();
                    if list.is_empty() {
                        view! { <div class="panel empty">"No label jobs yet."</div> }.into_any()
                    } else {
                        view! { <JobList list /> }.into_any()
                    }
                }}
            </QueryView>
        </section>
    }
}

#[component]
fn JobList(list: Vec<Job>) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|job| {
            let href = format!("/jobs/{}", job.id);
            view! {
                <tr data-testid="job-row">
                    <td class="mono"><a href=href>{job.id.clone()}</a></td>
                    <td>{format!("{} labels", job.label_ids.len())}</td>
                    <td>{format!("{} · {}", job.created_by, timestamp(&job.created_at))}</td>
                    <td><span class=status_pill(job.status)>{status_text(job.status)}</span></td>
                    <td class="job-progress">
                        <ProgressBar value=job.progress label=format!("Job {}", job.id) compact=true tone=tone(job.status) />
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="jobs">
                <thead>
                    <tr>
                        <th>"Job"</th>
                        <th>"Labels"</th>
                        <th>"Started by"</th>
                        <th>"Status"</th>
                        <th>"Progress"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

pub fn status_text(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Queued => "Queued",
        JobStatus::Running => "Running",
        JobStatus::Completed => "Completed",
        JobStatus::Failed => "Failed",
    }
}

pub fn status_pill(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Queued | JobStatus::Running => "pill pill--warn",
        JobStatus::Completed => "pill pill--ok",
        JobStatus::Failed => "pill pill--bad",
    }
}

pub fn tone(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Queued | JobStatus::Running => "",
        JobStatus::Completed => "ok",
        JobStatus::Failed => "bad",
    }
}
