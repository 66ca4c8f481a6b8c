//! `/transfers/incoming`: the current license's incoming deliveries.
//!
//! The license is the one chosen in the top bar's switcher (remembered
//! across reloads), or the organization's first.
//!
//! The seed's rule, as written in `policies::pending_transfers`, over the
//! transfers still pending: none → stop, more than 10 → every 10 s, else
//! every 30 s. Live `PackageCheckedIn` / `TransferCompleted` events
//! invalidate the list at once. The live connection does *not* cover (pause)
//! this poll: those events travel on `transfer.{id}` channels, which a Pusher
//! connection only holds for the transfer someone has open, so on the list
//! the seed's poll is the guarantee (a few small JSON requests a minute, and
//! none once nothing is pending).

use std::time::Duration;

use budtags_wire::Transfer;
use leptos::prelude::*;
use leptos_fetch::QueryClient;

use crate::{
    api::ApiError,
    query::{
        PollOptions,
        fetched::{Fetched, Phase},
        optimistic::percent_received,
        policies,
        poll::QueryState,
        scopes, use_poll, workspaces,
    },
    settings::{pick_license, use_current_license},
    ui::{
        format::timestamp,
        progress::ProgressBar,
        status::{ErrorPanel, Freshness, QueryView},
    },
};

/// The seed's interval, counted over the transfers still waiting for packages.
fn poll_pending(state: &QueryState<Vec<Transfer>, ApiError>) -> Option<Duration> {
    let pending: Option<Vec<Transfer>> =
        state.data.map(|all| all.iter().filter(|t| t.is_pending()).cloned().collect());
    policies::pending_transfers(&QueryState {
        data: pending.as_ref(),
        error: state.error,
        failure_count: state.failure_count,
        age: state.age,
    })
}

#[component]
pub fn IncomingTransfersPage() -> impl IntoView {
    let client: QueryClient = expect_context();
    let current = use_current_license();
    let licenses = client.local_resource(scopes::licenses(), || ());
    let numbers = Memo::new(move |_| {
        licenses.with(|l| {
            l.as_ref()
                .and_then(|l| l.data.as_ref())
                .map(|l| l.iter().map(|l| l.license_number.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let license = Memo::new(move |_| {
        let numbers = numbers.get();
        pick_license(current.get().as_deref(), &numbers).map(str::to_owned)
    });
    let key = move || license.get().unwrap_or_default();
    let transfers = client.local_resource(workspaces::incoming_transfers(), key);
    let policy = PollOptions::new(|_: &String, state| poll_pending(state))
        .with_stale_time(workspaces::WORKSPACE_STALE);
    let status = use_poll(client, workspaces::incoming_transfers(), key, policy);
    let retry = Callback::new(move |()| {
        client.invalidate_query(workspaces::incoming_transfers(), key());
    });
    let licenses_failed = move || match licenses.with(|l| Fetched::phase(l.as_ref())) {
        Phase::Failed(error) => Some(error),
        Phase::Loading | Phase::Ready => None,
    };
    let phase = Signal::derive(move || transfers.with(|f| Fetched::phase(f.as_ref())));
    let stale = Signal::derive(move || transfers.with(|f| f.as_ref().and_then(Fetched::stale)));
    let list = move || transfers.with(|f| f.as_ref().and_then(|f| f.data.clone())).unwrap_or_default();

    view! {
        <section class="page">
            <div class="toolbar">
                <h1 class="page__title page__title--inline">"Incoming transfers"</h1>
                <span class="count" data-testid="transfer-license">
                    {move || license.get().map(|l| format!("Deliveries to {l}"))}
                </span>
                <Freshness status />
            </div>
            {move || {
                if let Some(error) = licenses_failed() {
                    return view! { <ErrorPanel error /> }.into_any();
                }
                view! {
                    <QueryView phase stale what="incoming transfers" retry>
                        {move || {
                            let list = list();
                            if list.is_empty() {
                                view! {
                                    <div class="panel empty" data-testid="empty">
                                        <h2>"No incoming transfers"</h2>
                                        <p>"Deliveries to this license show up here as soon as they are on the way."</p>
                                    </div>
                                }
                                .into_any()
                            } else {
                                view! { <TransferTable list /> }.into_any()
                            }
                        }}
                    </QueryView>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn TransferTable(list: Vec<Transfer>) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|t| {
            let pending = t.is_pending();
            let percent = percent_received(&t);
            let href = format!("/transfers/{}", t.id);
            view! {
                <tr data-testid="transfer-row" data-id=t.id.to_string()>
                    <td class="mono"><a href=href>{t.manifest_number.clone()}</a></td>
                    <td>
                        {t.shipper_facility_name.clone()}
                        <div class="sub mono">{t.shipper_facility_license_number.clone()}</div>
                    </td>
                    <td>{t.estimated_arrival_date_time.as_deref().map(timestamp).unwrap_or_else(|| "—".into())}</td>
                    <td class="received">
                        <span class="num" data-testid="received">
                            {format!("{} / {}", t.received_package_count, t.package_count)}
                        </span>
                        <ProgressBar value=percent label=format!("Manifest {} received", t.manifest_number) compact=true tone=if pending { "" } else { "ok" } />
                    </td>
                    <td>
                        {if pending {
                            view! { <span class="pill pill--warn" data-testid="state">"Pending"</span> }.into_any()
                        } else {
                            view! { <span class="pill pill--ok" data-testid="state">"Received"</span> }.into_any()
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="transfers">
                <thead>
                    <tr>
                        <th>"Manifest"</th>
                        <th>"Shipper"</th>
                        <th>"ETA"</th>
                        <th>"Received"</th>
                        <th>"Status"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::optimistic::tests::transfer;

    fn ok(list: &Vec<Transfer>) -> QueryState<'_, Vec<Transfer>, ApiError> {
        QueryState { data: Some(list), error: None, failure_count: 0, age: Duration::ZERO }
    }

    #[test]
    fn only_transfers_still_waiting_set_the_pace() {
        let received = vec![transfer(3, 3); 12];
        assert_eq!(poll_pending(&ok(&received)), None, "everything is in: no polling");
        let mut list = received.clone();
        list.push(transfer(3, 1));
        assert_eq!(poll_pending(&ok(&list)), Some(policies::SECS_30), "one pending of thirteen");
        let busy = vec![transfer(3, 0); 11];
        assert_eq!(poll_pending(&ok(&busy)), Some(policies::SECS_10));
    }
}
