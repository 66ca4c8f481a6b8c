//! The packages table. Rows are keyed by id and revision, so a live change
//! re-renders only its own row, which flashes briefly.

use budtags_wire::Package;
use leptos::prelude::*;

use super::format::{quantity, timestamp};

#[component]
pub fn PackageTable(rows: Signal<Vec<Package>>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="packages">
                <thead>
                    <tr>
                        <th scope="col">"Tag"</th>
                        <th scope="col">"Item"</th>
                        <th scope="col">"Category"</th>
                        <th scope="col" class="num">"Quantity"</th>
                        <th scope="col">"Location"</th>
                        <th scope="col">"Lab"</th>
                        <th scope="col">"Packaged"</th>
                        <th scope="col">"Last modified"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|p| (p.id, p.revision) let:p>
                        <PackageRow package=p />
                    </For>
                </tbody>
            </table>
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="empty">"No packages in this list."</p>
            </Show>
        </div>
    }
}

#[component]
fn PackageRow(package: Package) -> impl IntoView {
    let lab_class = match package.lab_testing_state.as_str() {
        "TestPassed" | "RetestPassed" | "NotRequired" => "pill pill--ok",
        "TestFailed" | "RetestFailed" => "pill pill--bad",
        _ => "pill",
    };
    let label = package.label;
    let label_attr = label.clone();
    view! {
        <tr data-id=package.id data-label=label_attr>
            <td class="mono">{label}</td>
            <td>{package.item.name}</td>
            <td>{package.item.product_category_name}</td>
            <td class="num" data-testid="quantity">
                {quantity(package.quantity, &package.unit_of_measure_abbreviation)}
            </td>
            <td>{package.location_name}</td>
            <td>
                <span class=lab_class>{package.lab_testing_state}</span>
            </td>
            <td>{package.packaged_date}</td>
            <td>{timestamp(&package.last_modified)}</td>
        </tr>
    }
}
