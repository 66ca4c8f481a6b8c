use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="panel panel--error" role="alert">
            <h2>"Page not found"</h2>
            <p>"There is nothing at this address."</p>
            <a class="button" href="/">"Go to your packages"</a>
        </section>
    }
}
