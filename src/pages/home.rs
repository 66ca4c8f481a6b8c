//! `/`: sends the person to the packages of the license they last worked in
//! (if the organization still has it), else of the organization's first.

use leptos::prelude::*;
use leptos_fetch::QueryClient;
use leptos_router::components::Redirect;

use crate::{
    query::{
        fetched::{Fetched, Phase},
        scopes,
    },
    settings::{pick_license, use_current_license},
    ui::status::{ErrorPanel, Loading},
};

#[component]
pub fn Home() -> impl IntoView {
    let client: QueryClient = expect_context();
    let licenses = client.local_resource(scopes::licenses(), || ());
    let current = use_current_license();
    let retry = Callback::new(move |()| {
        client.invalidate_query(scopes::licenses(), ());
    });
    move || match licenses.get().map(|f| (Fetched::phase(Some(&f)), f.data)) {
        None | Some((Phase::Loading, _)) => view! { <Loading what="licenses" /> }.into_any(),
        Some((Phase::Failed(error), _)) => view! { <ErrorPanel error retry /> }.into_any(),
        Some((Phase::Ready, list)) => {
            let list = list.unwrap_or_default();
            let numbers: Vec<String> = list.into_iter().map(|l| l.license_number).collect();
            match pick_license(current.0.get_untracked().as_deref(), &numbers) {
                Some(license) => {
                    let path = format!("/licenses/{license}/packages");
                    view! { <Redirect path /> }.into_any()
                }
                None => view! {
                    <section class="panel">
                        <h2>"No licenses yet"</h2>
                        <p>"Your organization has no Metrc licenses set up."</p>
                    </section>
                }
                .into_any(),
            }
        }
    }
}
