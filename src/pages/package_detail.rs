//! `/packages/{id}`: one package, all its fields, and the history of its
//! changes (`GET /api/packages/{id}/history`, newest first). Live: when a
//! `PackageUpdate` for this package arrives with a newer revision, both are
//! read again. Another organization's package is a 404 like any unknown id.

use budtags_wire::{Package, PackageChange};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::{
    api::{ApiError, get_json},
    realtime::live::use_last_package_change,
    ui::{
        format::{quantity, timestamp},
        status::{ErrorPanel, Loading},
    },
};

#[component]
pub fn PackagePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let parsed = Memo::new(move |_| id.get().parse::<i64>().ok());
    let last_change = use_last_package_change();
    // Bumped when this package changes on the server.
    let version = Memo::new(move |previous: Option<&u64>| match (last_change.get(), parsed.get()) {
        (Some((changed, revision)), Some(id)) if changed == id => revision,
        _ => previous.copied().unwrap_or(0),
    });
    let package = LocalResource::new(move || {
        let (id, _) = (id.get(), version.get());
        async move { get_json::<Package>(&format!("/api/packages/{id}")).await }
    });
    let history = LocalResource::new(move || {
        let (id, _) = (id.get(), version.get());
        async move { get_json::<Vec<PackageChange>>(&format!("/api/packages/{id}/history")).await }
    });
    let retry = Callback::new(move |()| {
        package.refetch();
        history.refetch();
    });

    view! {
        <section class="page">
            <div class="toolbar">
                <a class="button button--quiet" href="/" data-testid="back">"← Packages"</a>
            </div>
            {move || match (parsed.get(), package.get()) {
                (None, _) => view! {
                    <ErrorPanel error=ApiError::NotFound(format!("No package {}.", id.get())) />
                }
                .into_any(),
                (_, None) => view! { <Loading what="the package" /> }.into_any(),
                (_, Some(Err(error))) => view! { <ErrorPanel error retry /> }.into_any(),
                (_, Some(Ok(p))) => view! { <PackageFacts package=p /> <History history retry /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn PackageFacts(package: Package) -> impl IntoView {
    let status = if package.is_finished {
        "Finished"
    } else if package.is_on_hold {
        "On hold"
    } else {
        "Active"
    };
    let unit = package.unit_of_measure_abbreviation.clone();
    let facts: Vec<(&'static str, String)> = vec![
        ("Item", package.item.name.clone()),
        ("Category", package.item.product_category_name.clone()),
        ("Strain", package.item.strain_name.clone().unwrap_or_else(|| "—".into())),
        ("Quantity", quantity(package.quantity, &unit)),
        ("Original quantity", quantity(package.original_package_quantity, &unit)),
        ("Unit", package.unit_of_measure_name.clone()),
        ("Type", package.package_type.clone()),
        ("Location", package.location_name.clone()),
        ("Lab testing", package.lab_testing_state.clone()),
        ("Packaged", package.packaged_date.clone()),
        ("Finished", package.finished_date.clone().unwrap_or_else(|| "—".into())),
        ("Last modified", timestamp(&package.last_modified)),
        ("Revision", package.revision.to_string()),
    ];
    view! {
        <article class="panel detail" data-testid="package-detail" data-revision=package.revision>
            <header class="detail__head">
                <h1 class="mono detail__tag" data-testid="package-tag">{package.label.clone()}</h1>
                <span class=if package.is_finished { "badge badge--bad" } else { "badge badge--ok" }>{status}</span>
            </header>
            <dl class="facts">
                {facts
                    .into_iter()
                    .map(|(name, value)| {
                        view! {
                            <div class="facts__row">
                                <dt>{name}</dt>
                                <dd data-fact=name>{value}</dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
        </article>
    }
}

#[component]
fn History(
    history: LocalResource<Result<Vec<PackageChange>, ApiError>>,
    retry: Callback<()>,
) -> impl IntoView {
    view! {
        <section class="panel history">
            <h2>"History"</h2>
            {move || match history.get() {
                None => view! { <Loading what="history" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error retry /> }.into_any(),
                Some(Ok(changes)) if changes.is_empty() => {
                    view! { <p class="empty">"No changes recorded yet."</p> }.into_any()
                }
                Some(Ok(changes)) => view! {
                    <table class="table" data-testid="history">
                        <thead>
                            <tr>
                                <th scope="col">"When"</th>
                                <th scope="col">"What"</th>
                                <th scope="col" class="num">"Change"</th>
                                <th scope="col" class="num">"Quantity"</th>
                                <th scope="col">"By"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {changes
                                .into_iter()
                                .map(|c| {
                                    let change = if c.change > 0.0 {
                                        format!("+{}", (c.change * 100.0).round() / 100.0)
                                    } else if c.change < 0.0 {
                                        format!("{}", (c.change * 100.0).round() / 100.0)
                                    } else {
                                        "—".to_owned()
                                    };
                                    view! {
                                        <tr data-revision=c.revision>
                                            <td>{timestamp(&c.at)}</td>
                                            <td>{c.kind}</td>
                                            <td class="num">{change}</td>
                                            <td class="num">{(c.quantity * 100.0).round() / 100.0}</td>
                                            <td>{c.by}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                .into_any(),
            }}
        </section>
    }
}
