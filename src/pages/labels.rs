//! `/labels?status=pending|approved|rejected`: the organization's label queue.
//!
//! Staff approvers approve, or reject with a required reason; everyone else
//! sees the queue read-only (the server refuses them anyway). A decision takes
//! the card out of the queue at once (through the [`crate::outbox`]) and puts it
//! back if the server refuses; a label someone else decided first (`409`)
//! says who, and the queue refetches. Other staff's decisions arrive live
//! (`LabelApproved` / `LabelRejected` invalidate every tab and toast).

use std::{collections::HashMap, time::Duration};

use budtags_wire::{Label, LabelStatus, Role};
use leptos::{html, prelude::*, task::spawn_local};
use leptos_fetch::QueryClient;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::ApiError,
    outbox::{
        Sent, Submitted,
        queue::{self, Write},
        use_outbox,
    },
    query::{PollOptions, fetched::Fetched, policies, use_poll, workspaces},
    realtime::live::use_live_connection,
    session::use_session,
    toast::{Level, ToastSpec, use_toasts},
    ui::{
        format::{quantity, timestamp},
        notice::{Notice, NoticeBar},
        status::{Freshness, QueryView},
    },
};

/// A decision in the making.
#[derive(Clone, Debug, PartialEq)]
enum Decision {
    Approve,
    Reject(String),
}

/// What the page remembers per label across refetches (cards are rebuilt).
#[derive(Clone, Copy)]
struct CardState {
    /// Labels whose reject form is open.
    rejecting: RwSignal<Vec<i64>>,
    /// The last refusal per label, shown on its card.
    errors: RwSignal<HashMap<i64, String>>,
    /// A page-wide message (a `409`).
    notice: RwSignal<Option<(u64, Notice)>>,
}

#[component]
pub fn LabelsPage() -> impl IntoView {
    let client: QueryClient = expect_context();
    let session = use_session();
    let toasts = use_toasts();
    let outbox = use_outbox();
    let query = use_query_map();
    let status = Memo::new(move |_| {
        query.read().get("status").and_then(|s| s.parse::<LabelStatus>().ok()).unwrap_or_default()
    });
    let labels = client.local_resource(workspaces::labels(), move || status.get());
    // Live decisions invalidate the queue; the fallback polls the pending tab.
    let policy = PollOptions::new(|status: &LabelStatus, state| match status {
        LabelStatus::Pending => policies::every(policies::SECS_30, state),
        LabelStatus::Approved | LabelStatus::Rejected => None,
    })
    .with_stale_time(workspaces::WORKSPACE_STALE)
    .covered_by(use_live_connection(), Some(Duration::from_secs(300)));
    let poll = use_poll(client, workspaces::labels(), move || status.get(), policy);
    let retry = Callback::new(move |()| {
        client.invalidate_query(workspaces::labels(), status.get_untracked());
    });
    let cards = CardState {
        rejecting: RwSignal::new(Vec::new()),
        errors: RwSignal::new(HashMap::new()),
        notice: RwSignal::new(None),
    };
    let rows: Signal<Vec<Label>> =
        Signal::derive(move || labels.with(|f| f.as_ref().and_then(|f| f.data.clone()).unwrap_or_default()));
    let phase = Signal::derive(move || labels.with(|f| Fetched::phase(f.as_ref())));
    let stale = Signal::derive(move || labels.with(|f| f.as_ref().and_then(Fetched::stale)));
    // Changes only when the queue empties or fills, so a refetch updates cards in place.
    let empty = Memo::new(move |_| rows.with(Vec::is_empty));
    let can_decide = Signal::derive(move || session.can(Role::can_decide_labels));

    let decide = Callback::new(move |(id, decision): (i64, Decision)| {
        cards.errors.update(|e| {
            e.remove(&id);
        });
        if let Decision::Reject(reason) = &decision
            && reason.trim().is_empty()
        {
            cards.errors.update(|e| {
                e.insert(id, "Give a reason for rejecting this label.".into());
            });
            return;
        }
        let decision = match decision {
            Decision::Approve => queue::Decision::Approve,
            Decision::Reject(reason) => queue::Decision::Reject { reason: reason.trim().to_owned() },
        };
        spawn_local(async move {
            match outbox.submit(Write::Decide { label_id: id, decision }).await {
                Submitted::Done(Sent::Decided(label)) => {
                    cards.rejecting.update(|r| r.retain(|x| *x != id));
                    // Said inline: the live event's toast tells everyone else.
                    let verb = if label.status == LabelStatus::Approved { "Approved" } else { "Rejected" };
                    let text =
                        format!("✓ {verb} the label for {} ({}).", label.product_name, label.package_label);
                    cards.notice.set(Some((label.revision, Notice::ok(text))));
                }
                Submitted::Done(Sent::CheckedIn(_)) => {}
                Submitted::Queued(_) => cards.rejecting.update(|r| r.retain(|x| *x != id)),
                Submitted::Refused(ApiError::Conflict(message)) => {
                    cards.notice.set(Some((id as u64, Notice::error(message.clone()))));
                    toasts.show(ToastSpec::new(Level::Warning, message));
                }
                Submitted::Refused(ApiError::Invalid { message, fields }) => {
                    let text = fields.get("reason").cloned().unwrap_or(message);
                    cards.errors.update(|e| {
                        e.insert(id, text);
                    });
                }
                Submitted::Refused(other) => {
                    cards.errors.update(|e| {
                        e.insert(id, other.to_string());
                    });
                }
            }
        });
    });

    let tab = move |s: LabelStatus, title: &'static str| {
        view! {
            <A
                href=format!("/labels?status={}", s.as_str())
                attr:class=move || if status.get() == s { "tab tab--on" } else { "tab" }
                attr:data-testid=format!("tab-{}", s.as_str())
            >
                {title}
            </A>
        }
    };

    view! {
        <section class="page">
            <div class="toolbar">
                <h1 class="page__title">"Label approvals"</h1>
                <nav class="tabs" aria-label="Label status">
                    {tab(LabelStatus::Pending, "Pending")}
                    {tab(LabelStatus::Approved, "Approved")}
                    {tab(LabelStatus::Rejected, "Rejected")}
                </nav>
                <Freshness status=poll />
            </div>
            {move || {
                (!can_decide.get() && session.signed_in())
                    .then(|| view! {
                        <p class="readonly" data-testid="read-only">
                            "You can see the queue; approving and rejecting labels is for staff approvers."
                        </p>
                    })
            }}
            <NoticeBar notice=cards.notice testid="labels-notice" />
            <QueryView phase stale what="labels" retry>
                {move || if empty.get() {
                    let text = match status.get() {
                        LabelStatus::Pending => "No labels are waiting for approval.",
                        LabelStatus::Approved => "No approved labels yet.",
                        LabelStatus::Rejected => "No rejected labels.",
                    };
                    view! { <div class="panel empty" data-testid="empty"><h2>{text}</h2></div> }.into_any()
                } else {
                    view! { <LabelCards labels=rows cards can_decide decide /> }.into_any()
                }}
            </QueryView>
        </section>
    }
}

#[component]
fn LabelCards(
    labels: Signal<Vec<Label>>,
    cards: CardState,
    can_decide: Signal<bool>,
    decide: Callback<(i64, Decision)>,
) -> impl IntoView {
    view! {
        <ul class="cards" data-testid="labels">
            <For
                each=move || labels.get()
                key=|l: &Label| (l.id, l.revision)
                children=move |label: Label| view! { <LabelCard label cards can_decide decide /> }
            />
        </ul>
    }
}

#[component]
fn LabelCard(
    label: Label,
    cards: CardState,
    can_decide: Signal<bool>,
    decide: Callback<(i64, Decision)>,
) -> impl IntoView {
    let id = label.id;
    let outbox = use_outbox();
    // A decision kept on this device while the server could not be reached.
    let queued = move || outbox.is_waiting(&queue::label_key(id));
    let reason = RwSignal::new(String::new());
    let rejecting = move || cards.rejecting.with(|r| r.contains(&id));
    let error = move || cards.errors.with(|e| e.get(&id).cloned());
    let pending = label.status == LabelStatus::Pending;
    let decision = match (&label.decided_by, &label.decided_at) {
        (Some(by), Some(at)) => Some(format!(
            "{} by {by} · {}",
            if label.status == LabelStatus::Approved { "Approved" } else { "Rejected" },
            timestamp(at)
        )),
        _ => None,
    };
    view! {
        <li class="card" data-testid="label-card" data-id=id.to_string() data-tag=label.package_label.clone()>
            <div class="card__head">
                <strong class="card__product">{label.product_name.clone()}</strong>
                <span class="pill">{match label.copies {
                    1 => "1 copy".to_owned(),
                    n => format!("{n} copies"),
                }}</span>
            </div>
            <div class="mono card__tag">{label.package_label.clone()}</div>
            <dl class="card__facts">
                <div><dt>"Quantity"</dt><dd>{quantity(label.quantity, &label.unit_of_measure_abbreviation)}</dd></div>
                <div><dt>"License"</dt><dd class="mono">{label.license_number.clone()}</dd></div>
                <div><dt>"Requested"</dt><dd>{format!("{} · {}", label.requested_by, timestamp(&label.requested_at))}</dd></div>
            </dl>
            {decision.map(|d| view! { <p class="card__decision" data-testid="decision">{d}</p> })}
            {label.reason.clone().map(|r| view! { <p class="card__reason">{format!("Reason: {r}")}</p> })}
            {move || error().map(|e| view! { <p class="field-error" role="alert" data-testid="label-error">{e}</p> })}
            {move || queued().then(|| view! {
                <p class="card__queued" role="status" data-testid="decision-queued">
                    "Your decision is saved on this device and will be sent as soon as the server can be reached."
                </p>
            })}
            {move || (pending && can_decide.get() && !queued()).then(|| {
                if rejecting() {
                    // The reason field takes the focus, so the keyboard flow is Reject… → type → Enter.
                    let area = NodeRef::<html::Textarea>::new();
                    Effect::new(move |_| {
                        if let Some(el) = area.get() {
                            let _ = el.focus();
                        }
                    });
                    view! {
                        <form
                            class="card__reject"
                            on:submit=move |ev| {
                                ev.prevent_default();
                                decide.run((id, Decision::Reject(reason.get_untracked())));
                            }
                        >
                            <label class="field">
                                <span class="field__label">"Why is it rejected? (Enter to reject)"</span>
                                <textarea
                                    node_ref=area
                                    data-testid="reason"
                                    rows="2"
                                    maxlength="500"
                                    prop:value=move || reason.get()
                                    on:input=move |ev| reason.set(event_target_value(&ev))
                                    on:keydown=move |ev| {
                                        if ev.key() == "Enter" && !ev.shift_key() {
                                            ev.prevent_default();
                                            decide.run((id, Decision::Reject(reason.get_untracked())));
                                        }
                                    }
                                ></textarea>
                            </label>
                            <div class="card__actions">
                                <button class="button button--bad" type="submit" data-testid="confirm-reject">"Reject label"</button>
                                <button
                                    class="button button--quiet"
                                    type="button"
                                    on:click=move |_| cards.rejecting.update(|r| r.retain(|x| *x != id))
                                >
                                    "Cancel"
                                </button>
                            </div>
                        </form>
                    }
                    .into_any()
                } else {
                    view! {
                        <div class="card__actions">
                            <button class="button" data-testid="approve" on:click=move |_| decide.run((id, Decision::Approve))>
                                "Approve"
                            </button>
                            <button
                                class="button button--quiet"
                                data-testid="reject"
                                on:click=move |_| cards.rejecting.update(|r| r.push(id))
                            >
                                "Reject…"
                            </button>
                        </div>
                    }
                    .into_any()
                }
            })}
        </li>
    }
}
