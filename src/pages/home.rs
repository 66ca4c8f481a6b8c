//! `/`: sends the person to the first license's packages.

use leptos::prelude::*;
use leptos_fetch::QueryClient;
use leptos_router::components::Redirect;

use crate::{
    query::scopes,
    ui::status::{ErrorPanel, Loading},
};

#[component]
pub fn Home() -> impl IntoView {
    let client: QueryClient = expect_context();
    let licenses = client.local_resource(scopes::licenses(), || ());
    let retry = Callback::new(move |()| {
        client.invalidate_query(scopes::licenses(), ());
    });
    move || match licenses.get().map(|f| f.result) {
        None => view! { <Loading what="licenses" /> }.into_any(),
        Some(Err(error)) => view! { <ErrorPanel error retry /> }.into_any(),
        Some(Ok(list)) => match list.first() {
            Some(first) => {
                let path = format!("/licenses/{}/packages", first.license_number);
                view! { <Redirect path /> }.into_any()
            }
            None => view! {
                <section class="panel">
                    <h2>"No licenses yet"</h2>
                    <p>"Your organization has no Metrc licenses set up."</p>
                </section>
            }
            .into_any(),
        },
    }
}
