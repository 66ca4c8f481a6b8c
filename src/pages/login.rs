//! `/login?next=…`: sign in with e-mail and password. Field errors from the
//! server show under their fields; a wrong password says so; on success the
//! person goes back to `next` (a path on this site) or to `/`.

use std::collections::BTreeMap;

use budtags_wire::Credentials;
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_router::{
    NavigateOptions,
    hooks::{use_navigate, use_query_map},
};

use crate::{
    api::ApiError,
    session::{safe_next, use_session},
};

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let next = Memo::new(move |_| safe_next(query.read().get("next").as_deref()));
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let fields = RwSignal::new(BTreeMap::<String, String>::new());

    // Already signed in (or just now): on to where the person was going.
    let go_on = navigate.clone();
    Effect::new(move |_| {
        if session.signed_in() {
            go_on(&next.get_untracked(), NavigateOptions { replace: true, ..Default::default() });
        }
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        message.set(None);
        fields.set(BTreeMap::new());
        let credentials = Credentials {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match session.sign_in(credentials).await {
                Ok(_) => {} // the effect above navigates
                Err(ApiError::Invalid { message: m, fields: f }) => {
                    message.set(Some(m));
                    fields.set(f);
                }
                Err(ApiError::Unauthorized) => {
                    message.set(Some("Wrong e-mail address or password.".into()));
                }
                Err(e) => message.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let field_error = move |name: &'static str| move || fields.with(|f| f.get(name).cloned());

    view! {
        <section class="login">
            <form class="panel login__form" on:submit=submit novalidate data-testid="login-form">
                <h1>"Sign in to BudTags"</h1>
                <Show when=move || session.expired.get()>
                    <p class="notice" role="status" data-testid="expired">
                        "Your session ended. Sign in again to carry on where you were."
                    </p>
                </Show>
                <label class="field">
                    <span class="field__label">"E-mail"</span>
                    <input
                        type="email"
                        name="email"
                        autocomplete="username"
                        autofocus
                        data-testid="email"
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))
                        aria-invalid=move || field_error("email")().is_some().then_some("true")
                    />
                    <span class="field__error" data-testid="email-error">{field_error("email")}</span>
                </label>
                <label class="field">
                    <span class="field__label">"Password"</span>
                    <input
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        data-testid="password"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                        aria-invalid=move || field_error("password")().is_some().then_some("true")
                    />
                    <span class="field__error" data-testid="password-error">{field_error("password")}</span>
                </label>
                <p class="form__error" role="alert" data-testid="login-error">{move || message.get()}</p>
                <button class="button button--wide" type="submit" data-testid="sign-in" disabled=move || busy.get()>
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
                <p class="muted login__hint">
                    "Demo: approver@greenleaf.test, operator@greenleaf.test or viewer@greenleaf.test, password “budtags”."
                </p>
            </form>
        </section>
    }
}
