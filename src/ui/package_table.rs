//! The packages table, virtualized: rows have a fixed height, and only the
//! rows in view (plus an overscan) are in the DOM, between two spacer rows
//! that keep the scrollbar true to the whole list. Rows are keyed by id and
//! revision, so a live change re-renders only its own row; a row that changed
//! (or arrived) while in view flashes briefly, rows scrolled into view do not.

use std::sync::Arc;

use budtags_wire::Package;
use leptos::{html, prelude::*};

use super::{
    format::{quantity, timestamp},
    package_view::{Column, Sort, window},
};

/// Row height in px; `style/main.css` gives `.vtable td` the same height.
pub const ROW_HEIGHT: f64 = 40.0;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 12;
/// Before the scroll container is measured.
const DEFAULT_VIEWPORT: f64 = 800.0;

/// One rendered row: the package, and whether it just changed in view.
#[derive(Clone, PartialEq)]
struct Row {
    package: Arc<Package>,
    flash: bool,
}

/// `count` rows in display order; `slice(first, end)` returns rows
/// `first..end` of them (read reactively, so live patches flow in).
#[component]
pub fn PackageTable(
    count: Signal<usize>,
    slice: Callback<(usize, usize), Vec<Arc<Package>>>,
    sort: Signal<Sort>,
    on_sort: Callback<Column>,
) -> impl IntoView {
    let scroller = NodeRef::<html::Div>::new();
    let scroll_top = RwSignal::new(0.0);
    let viewport = RwSignal::new(DEFAULT_VIEWPORT);
    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            scroll_top.set(f64::from(el.scroll_top()));
            let height = f64::from(el.client_height());
            if height > 0.0 {
                viewport.set(height);
            }
        }
    };
    Effect::new(move |_| {
        if scroller.get().is_some() {
            measure();
        }
    });
    let _ = leptos_use_event_listener::use_event_listener(
        leptos::prelude::window(),
        leptos::ev::resize,
        move |_| measure(),
    );

    let range =
        Memo::new(move |_| window(count.get(), ROW_HEIGHT, scroll_top.get(), viewport.get(), OVERSCAN));
    // Rows to render; a row flashes when it changed (or arrived) while the
    // window stayed put, not when scrolling brings it into view.
    let rows = Memo::new(move |previous: Option<&(usize, usize, Vec<Row>)>| {
        let (first, end) = range.get();
        let packages = slice.run((first, end));
        let rows = packages
            .into_iter()
            .map(|package| {
                let flash = previous.is_some_and(|(pf, pe, old)| {
                    (*pf, *pe) == (first, end)
                        && !old
                            .iter()
                            .any(|r| r.package.id == package.id && r.package.revision == package.revision)
                });
                Row { package, flash }
            })
            .collect();
        (first, end, rows)
    });
    let top = move || rows.with(|(first, _, _)| *first as f64 * ROW_HEIGHT);
    let bottom = move || rows.with(|(_, end, _)| count.get().saturating_sub(*end) as f64 * ROW_HEIGHT);

    let header = move |column: Column| {
        let aria_sort = move || {
            let sort = sort.get();
            if sort.column == Some(column) { sort.direction.aria() } else { "none" }
        };
        let arrow = move || {
            let sort = sort.get();
            match (sort.column == Some(column), sort.direction.as_str()) {
                (false, _) => "",
                (true, "asc") => " ▲",
                (true, _) => " ▼",
            }
        };
        let class = if column == Column::Quantity { "num" } else { "" };
        view! {
            <th scope="col" class=class aria-sort=aria_sort data-column=column.as_str()>
                <button type="button" class="sort" on:click=move |_| on_sort.run(column)>
                    {column.title()}
                    <span class="sort__arrow" aria-hidden="true">{arrow}</span>
                </button>
            </th>
        }
    };

    view! {
        <div class="table-wrap" node_ref=scroller on:scroll=move |_| measure() data-testid="scroller">
            <table class="table vtable" data-testid="packages">
                <thead>
                    <tr>{Column::ALL.into_iter().map(header).collect_view()}</tr>
                </thead>
                <tbody>
                    <tr class="spacer" aria-hidden="true">
                        <td colspan="8" style:height=move || format!("{}px", top())></td>
                    </tr>
                    <For
                        each=move || rows.get().2
                        key=|r| (r.package.id, r.package.revision)
                        children=|row| view! { <PackageRow package=row.package flash=row.flash /> }
                    />
                    <tr class="spacer" aria-hidden="true">
                        <td colspan="8" style:height=move || format!("{}px", bottom())></td>
                    </tr>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn PackageRow(package: Arc<Package>, flash: bool) -> impl IntoView {
    let lab_class = match package.lab_testing_state.as_str() {
        "TestPassed" | "RetestPassed" | "NotRequired" => "pill pill--ok",
        "TestFailed" | "RetestFailed" => "pill pill--bad",
        _ => "pill",
    };
    let p = &*package;
    let href = format!("/packages/{}", p.id);
    view! {
        <tr data-id=p.id data-label=p.label.clone() data-revision=p.revision class:row--flash=flash>
            <td class="mono">
                <a href=href>{p.label.clone()}</a>
            </td>
            <td class="ellipsis">{p.item.name.clone()}</td>
            <td>{p.item.product_category_name.clone()}</td>
            <td class="num" data-testid="quantity">
                {quantity(p.quantity, &p.unit_of_measure_abbreviation)}
            </td>
            <td class="ellipsis">{p.location_name.clone()}</td>
            <td>
                <span class=lab_class>{p.lab_testing_state.clone()}</span>
            </td>
            <td>{p.packaged_date.clone()}</td>
            <td>{timestamp(&p.last_modified)}</td>
        </tr>
    }
}
