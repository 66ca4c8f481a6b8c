//! `/transfers/{id}`: one delivery's packages, and checking them in.
//!
//! The scan field is built for a barcode scanner (which types the tag and
//! presses Enter): it keeps the focus after every scan, and each scan gets a
//! clear answer — a green "✓ TAG checked in — 12 of 15" or a red inline error.
//! A valid scan shows the package as checked in at once
//! ([`optimistic::check_in`]) and is rolled back if the server refuses; the
//! idempotency key `transfer-{id}-{TAG}` makes a double scan one check-in.
//!
//! The page follows `transfer.{id}`: another operator's scan invalidates the
//! transfer and shows here. When the server reports the transfer complete
//! (live, by polling, or by our own last scan) everyone looking at it gets one
//! success toast and sees "Transfer complete — 4 of 4 checked in" for a few
//! seconds, with a button back, before the page returns to the incoming list.

use std::time::Duration;

use budtags_wire::{CheckIn, Role, TransferDetail, TransferPackage};
use leptos::{html, prelude::*, task::spawn_local};
use leptos_fetch::QueryClient;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::{
    api::ApiError,
    outbox::{Sent, Submitted, queue::Write, use_outbox},
    query::{PollOptions, fetched::Fetched, optimistic, policies, poll::QueryState, use_poll, workspaces},
    realtime::{
        live::{use_follow_channel, use_live_connection},
        router::{INCOMING_TRANSFERS, transfer_completed_toast},
    },
    session::use_session,
    toast::use_toasts,
    ui::{
        format::{quantity, timestamp},
        notice::{Notice, NoticeBar},
        progress::ProgressBar,
        status::{ErrorPanel, Freshness, QueryView},
    },
};

/// How long a transfer completed while someone looks at it stays on screen
/// before the page goes back to the incoming list.
const LEAVE_AFTER_COMPLETION: Duration = Duration::from_secs(5);

#[component]
pub fn TransferPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|id| id.parse::<i64>().ok()));
    view! {
        {move || match id.get() {
            Some(id) => view! { <TransferView id /> }.into_any(),
            None => view! {
                <ErrorPanel error=ApiError::NotFound("There is no transfer at this address.".into()) />
            }
            .into_any(),
        }}
    }
}

#[component]
fn TransferView(id: i64) -> impl IntoView {
    let client: QueryClient = expect_context();
    let session = use_session();
    let toasts = use_toasts();
    let navigate = use_navigate();
    use_follow_channel(move || Some(format!("transfer.{id}")));
    let transfer = client.local_resource(workspaces::transfer(), move || id);
    // While packages are waiting, a 30 s fallback; the live channel covers it.
    let policy = PollOptions::new(|_: &i64, state: &QueryState<TransferDetail, ApiError>| match state.data {
        Some(d) if !d.transfer.is_pending() => None,
        _ => policies::every(policies::SECS_30, state),
    })
    .with_stale_time(workspaces::WORKSPACE_STALE)
    .covered_by(use_live_connection(), Some(Duration::from_secs(300)));
    let status = use_poll(client, workspaces::transfer(), move || id, policy);
    let retry = Callback::new(move |()| {
        client.invalidate_query(workspaces::transfer(), id);
    });

    // Completed while someone looks at it (as the server says, never an
    // optimistic guess): one toast, and back to the incoming list.
    let pending = Memo::new(move |_| {
        transfer.with(|t| t.as_ref().and_then(|t| t.data.as_ref()).map(|d| d.transfer.is_pending()))
    });
    // The page stays a moment so the operator sees the last scan counted,
    // then goes back by itself (or at once, with the button).
    let just_completed = RwSignal::new(false);
    let leave = StoredValue::new_local(None::<TimeoutHandle>);
    Effect::new(move |was: Option<Option<bool>>| {
        let now = pending.get();
        if let (Some(was), Some(now)) = (was.flatten(), now)
            && optimistic::just_completed(Some(was), now)
        {
            toasts.show(transfer_completed_toast(id));
            just_completed.set(true);
            let navigate = navigate.clone();
            let back = move || navigate(INCOMING_TRANSFERS, Default::default());
            leave.set_value(set_timeout_with_handle(back, LEAVE_AFTER_COMPLETION).ok());
        }
        now.or(was.flatten())
    });
    on_cleanup(move || {
        if let Some(handle) = leave.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    });

    let phase = Signal::derive(move || transfer.with(|t| Fetched::phase(t.as_ref())));
    let stale = Signal::derive(move || transfer.with(|t| t.as_ref().and_then(Fetched::stale)));
    let detail = Signal::derive(move || transfer.with(|t| t.as_ref().and_then(|t| t.data.clone())));
    let can_operate = move || session.can(Role::can_operate);

    view! {
        <section class="page">
            <div class="toolbar">
                <a class="button button--quiet" href=INCOMING_TRANSFERS>"← Incoming transfers"</a>
                <h1 class="page__title">
                    {move || detail.with(|d| d.as_ref().map(|d| format!("Manifest {}", d.transfer.manifest_number)))}
                </h1>
                <Freshness status />
            </div>
            <QueryView phase stale what="the transfer" retry>
                    <TransferSummary detail />
                    {move || {
                        let pending = pending.get().unwrap_or(false);
                        if !pending && just_completed.get() {
                            let counted = detail.with(|d| {
                                d.as_ref().map_or((0, 0), |d| (d.transfer.received_package_count, d.transfer.package_count))
                            });
                            view! {
                                <div class="notice notice--ok transfer-complete" data-testid="transfer-complete" role="status">
                                    <strong>{format!("Transfer complete — {} of {} checked in", counted.0, counted.1)}</strong>
                                    <span>" Going back to the incoming transfers in a few seconds."</span>
                                    <a class="button" href=INCOMING_TRANSFERS data-testid="back-to-transfers">
                                        "Back to incoming transfers"
                                    </a>
                                </div>
                            }
                            .into_any()
                        } else if !pending {
                            view! {
                                <div class="notice notice--ok" data-testid="all-in">
                                    "Every package on this transfer is checked in."
                                </div>
                            }
                            .into_any()
                        } else if can_operate() {
                            view! { <ScanPanel id detail /> }.into_any()
                        } else {
                            view! {
                                <p class="readonly" data-testid="read-only">
                                    "You can follow this transfer; checking packages in needs a check-in operator."
                                </p>
                            }
                            .into_any()
                        }
                    }}
                    <PackageRows id detail />
            </QueryView>
        </section>
    }
}

#[component]
fn TransferSummary(detail: Signal<Option<TransferDetail>>) -> impl IntoView {
    let field = move |f: fn(&TransferDetail) -> String| move || detail.with(|d| d.as_ref().map(f));
    let received = move || detail.with(|d| d.as_ref().map(optimistic::received_rows).unwrap_or(0));
    let total = move || detail.with(|d| d.as_ref().map_or(0, |d| d.packages.len()));
    let percent = Signal::derive(move || match total() {
        0 => 100,
        n => (received() * 100 / n) as u8,
    });
    view! {
        <div class="summary">
            <div>
                <span class="field__label">"Shipper"</span>
                <strong>{field(|d| d.transfer.shipper_facility_name.clone())}</strong>
                <span class="sub mono">{field(|d| d.transfer.shipper_facility_license_number.clone())}</span>
            </div>
            <div>
                <span class="field__label">"ETA"</span>
                <strong>
                    {field(|d| {
                        d.transfer.estimated_arrival_date_time.as_deref().map(timestamp).unwrap_or_else(|| "—".into())
                    })}
                </strong>
            </div>
            <div class="summary__progress">
                <span class="field__label">"Checked in"</span>
                <strong data-testid="checked-count">{move || format!("{} of {}", received(), total())}</strong>
                <ProgressBar value=percent label="Packages checked in" />
            </div>
        </div>
    }
}

/// The scan field: typed or scanned tag + Enter; optional received quantity.
#[component]
fn ScanPanel(id: i64, detail: Signal<Option<TransferDetail>>) -> impl IntoView {
    let outbox = use_outbox();
    let queued = RwSignal::new(None::<String>);
    let input: NodeRef<html::Input> = NodeRef::new();
    let tag = RwSignal::new(String::new());
    let received = RwSignal::new(String::new());
    let tag_error = RwSignal::new(None::<String>);
    let quantity_error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<(u64, Notice)>);
    let scans = StoredValue::new(0u64);
    let say = move |n: Notice| {
        scans.update_value(|s| *s += 1);
        notice.set(Some((scans.get_value(), n)));
    };
    let refocus = move || {
        if let Some(el) = input.get_untracked() {
            let _ = el.focus();
        }
    };
    Effect::new(move |_| refocus());

    let submit = move || {
        let scanned = optimistic::normalize_tag(&tag.get_untracked());
        tag_error.set(None);
        quantity_error.set(None);
        // The field is emptied after every scan, good or bad, so the next
        // scan never lands behind a previous one; an error names what was read.
        tag.set(String::new());
        refocus();
        if let Err(message) = optimistic::validate_tag(&scanned) {
            tag_error.set(Some(if scanned.is_empty() {
                message
            } else {
                format!("“{scanned}”: {message}")
            }));
            return;
        }
        let typed = received.get_untracked();
        let received_quantity = match typed.trim() {
            "" => None,
            text => match text.parse::<f64>() {
                Ok(q) if q.is_finite() && q >= 0.0 => Some(q),
                _ => {
                    quantity_error.set(Some(format!(
                        "“{text}” is not a quantity: enter zero or more, or leave it empty for the shipped quantity."
                    )));
                    return;
                }
            },
        };
        // A counted quantity is for this scan only; the next one defaults to as-shipped.
        received.set(String::new());
        let on_manifest = detail.with_untracked(|d| {
            d.as_ref().is_some_and(|d| d.packages.iter().any(|p| p.package_label == scanned))
        });
        if !on_manifest {
            // The server has the last word (and the exact sentence), but the
            // person learns at once that this scan did nothing.
            tag_error.set(Some(format!("{scanned} is not on this manifest — checking…")));
        }
        let check_in = CheckIn {
            label: scanned.clone(),
            received_quantity,
            idempotency_key: optimistic::idempotency_key(id, &scanned),
        };
        let key = check_in.idempotency_key.clone();
        spawn_local(async move {
            match outbox.submit(Write::CheckIn { transfer_id: id, check_in }).await {
                Submitted::Done(Sent::CheckedIn(result)) => {
                    tag_error.set(None);
                    say(Notice::ok(optimistic::confirmation(&result)));
                }
                Submitted::Done(Sent::Decided(_)) => {}
                Submitted::Queued(why) => {
                    tag_error.set(None);
                    say(Notice::ok(format!(
                        "{scanned} is saved on this device and will be checked in as soon as the server can be reached ({why})."
                    )));
                    queued.set(Some(key));
                }
                Submitted::Refused(error) => {
                    notice.set(None);
                    match error {
                        ApiError::Invalid { message, fields } => {
                            if let Some(q) = fields.get("receivedQuantity") {
                                quantity_error.set(Some(q.clone()));
                            }
                            tag_error.set(Some(fields.get("label").cloned().unwrap_or(message)));
                        }
                        other => tag_error.set(Some(other.to_string())),
                    }
                }
            }
        });
    };
    // A queued scan's message goes once it has been sent.
    Effect::new(move |_| {
        if let Some(key) = queued.get()
            && !outbox.is_waiting(&key)
        {
            queued.set(None);
            notice.set(None);
        }
    });

    view! {
        <form
            class="scan"
            data-testid="scan-form"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <label class="field scan__tag">
                <span class="field__label">"Scan or type a package tag, then Enter"</span>
                <input
                    node_ref=input
                    data-testid="scan"
                    class="scan__input mono"
                    autocomplete="off"
                    autocapitalize="characters"
                    spellcheck="false"
                    maxlength="40"
                    placeholder="1A4060300003B01000000001"
                    aria-invalid=move || tag_error.get().is_some().to_string()
                    aria-describedby="scan-error"
                    prop:value=move || tag.get()
                    on:input=move |ev| tag.set(event_target_value(&ev))
                />
            </label>
            <label class="field scan__qty">
                <span class="field__label">"Received quantity"</span>
                <input
                    data-testid="received-quantity"
                    inputmode="decimal"
                    placeholder="As shipped"
                    aria-invalid=move || quantity_error.get().is_some().to_string()
                    prop:value=move || received.get()
                    on:input=move |ev| received.set(event_target_value(&ev))
                />
            </label>
            <button class="button scan__go" type="submit">"Check in"</button>
            <div class="scan__messages" id="scan-error">
                {move || tag_error.get().map(|e| view! { <p class="field-error" role="alert" data-testid="scan-error">{e}</p> })}
                {move || quantity_error.get().map(|e| view! { <p class="field-error" role="alert" data-testid="quantity-error">{e}</p> })}
                <NoticeBar notice testid="scan-ok" />
            </div>
        </form>
    }
}

#[component]
fn PackageRows(id: i64, detail: Signal<Option<TransferDetail>>) -> impl IntoView {
    let rows = move || detail.with(|d| d.as_ref().map(|d| d.packages.clone()).unwrap_or_default());
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="transfer-packages">
                <thead>
                    <tr>
                        <th>"Tag"</th>
                        <th>"Product"</th>
                        <th class="num">"Shipped"</th>
                        <th class="num">"Received"</th>
                        <th>"State"</th>
                        <th>"Checked in"</th>
                    </tr>
                </thead>
                <tbody>
                    // Keyed by the row's state: a check-in rebuilds the row, which flashes it.
                    <For
                        each=rows
                        key=|p: &TransferPackage| (p.package_id, p.shipment_package_state as u8, p.checked_in_at.clone())
                        children=move |p: TransferPackage| view! { <PackageRow id p /> }
                    />
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn PackageRow(id: i64, p: TransferPackage) -> impl IntoView {
    let outbox = use_outbox();
    let waiting = optimistic::is_waiting(&p);
    let key = optimistic::idempotency_key(id, &p.package_label);
    // A scan kept on this device while the server could not be reached.
    let queued = move || waiting && outbox.is_waiting(&key);
    let state = format!("{:?}", p.shipment_package_state);
    let shown = {
        let (queued, state) = (queued.clone(), state.clone());
        move || match (queued(), waiting) {
            (true, _) => "Queued to send".to_owned(),
            (false, true) => "Waiting".to_owned(),
            (false, false) => state.clone(),
        }
    };
    let pill = {
        let queued = queued.clone();
        move || match (queued(), waiting) {
            (true, _) => "pill pill--warn",
            (false, true) => "pill",
            (false, false) => "pill pill--ok",
        }
    };
    let checked = match (&p.checked_in_by, &p.checked_in_at) {
        (Some(by), Some(at)) => format!("{by} · {}", timestamp(at)),
        _ => "—".into(),
    };
    view! {
        <tr
            data-testid="package-row"
            data-tag=p.package_label.clone()
            data-state=state
            data-queued=move || queued().to_string()
            class:row--in=!waiting
        >
            <td class="mono">{p.package_label.clone()}</td>
            <td>{p.product_name.clone()}</td>
            <td class="num">{quantity(p.shipped_quantity, &p.unit_of_measure_abbreviation)}</td>
            <td class="num">
                {p.received_quantity.map(|q| quantity(q, &p.unit_of_measure_abbreviation)).unwrap_or_else(|| "—".into())}
            </td>
            <td><span class=pill>{shown}</span></td>
            <td>{checked}</td>
        </tr>
    }
}
