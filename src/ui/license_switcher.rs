//! Choose a license among the organization's. The choice is remembered
//! (`settings::CurrentLicense`, in localStorage), and on the Packages page it
//! is also in the URL, so it survives a reload either way.

use leptos::prelude::*;
use leptos_fetch::QueryClient;
use leptos_router::hooks::{use_location, use_navigate};

use crate::{
    query::scopes,
    settings::{pick_license, use_current_license},
};

#[component]
pub fn LicenseSwitcher() -> impl IntoView {
    let client: QueryClient = expect_context();
    let licenses = client.local_resource(scopes::licenses(), || ());
    let current = use_current_license();
    let location = use_location();
    let navigate = use_navigate();
    // No license yet, or one this organization does not have (another
    // person's choice on this browser): the organization's first.
    Effect::new(move |_| {
        let Some(list) = licenses.get().and_then(|f| f.data) else { return };
        let numbers: Vec<String> = list.into_iter().map(|l| l.license_number).collect();
        let remembered = current.0.get_untracked();
        if let Some(pick) = pick_license(remembered.as_deref(), &numbers)
            && remembered.as_deref() != Some(pick)
        {
            current.set(pick);
        }
    });
    let on_change = move |ev| {
        let license = event_target_value(&ev);
        current.set(&license);
        // The Packages page carries the license in its address: follow it there.
        let path = location.pathname.get_untracked();
        if path.starts_with("/licenses/") || path.starts_with("/packages/") || path == "/" {
            let filter = if location.search.get_untracked().contains("filter=inactive") {
                "?filter=inactive"
            } else {
                ""
            };
            navigate(&format!("/licenses/{license}/packages{filter}"), Default::default());
        }
    };
    view! {
        <label class="field field--inline">
            <span class="field__label">"License"</span>
            <select data-testid="license" on:change=on_change prop:value=move || current.get().unwrap_or_default()>
                {move || {
                    licenses
                        .get()
                        .and_then(|f| f.data)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|l| {
                            let selected = current.0.get_untracked().as_deref() == Some(l.license_number.as_str());
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
