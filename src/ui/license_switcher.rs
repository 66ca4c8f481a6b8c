//! Choose a license; the choice is part of the URL, so it survives a reload.

use budtags_wire::PackageFilter;
use leptos::prelude::*;
use leptos_fetch::QueryClient;
use leptos_router::hooks::use_navigate;

use crate::query::scopes;

#[component]
pub fn LicenseSwitcher(current: Memo<String>, filter: Signal<PackageFilter>) -> impl IntoView {
    let client: QueryClient = expect_context();
    let licenses = client.local_resource(scopes::licenses(), || ());
    let navigate = use_navigate();
    let on_change = move |ev| {
        let license = event_target_value(&ev);
        navigate(
            &format!("/licenses/{license}/packages?filter={}", filter.get_untracked()),
            Default::default(),
        );
    };
    view! {
        <label class="field">
            <span class="field__label">"License"</span>
            <select data-testid="license" on:change=on_change prop:value=move || current.get()>
                {move || {
                    licenses
                        .get()
                        .and_then(|f| f.result.ok())
                        .unwrap_or_default()
                        .into_iter()
                        .map(|l| {
                            let selected = l.license_number == current.get_untracked();
                            view! {
                                <option value=l.license_number.clone() selected=selected>
                                    {format!("{} · {}", l.license_number, l.facility_name)}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}
