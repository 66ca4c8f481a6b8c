//! Who is signed in, as context for every page: the `Me` from `/api/me` or the
//! sign-in answer, and what their role lets them do.
//!
//! At start the app asks `/api/me` ([`Session::loaded`] turns true with the
//! answer). Any `401` from any request afterwards means the session ended:
//! [`Session::me`] becomes `None`, and the shell sends the person to
//! `/login?next=<where they were>` ([`login_path`]); signing in brings them
//! back there ([`safe_next`] refuses anything but a path on this site).

use budtags_wire::{Credentials, Me, Role};
use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError, session as calls},
    query::persist,
};

/// Where the person last signed in on this device is remembered, so the app
/// opens for them without the network.
const REMEMBERED: &str = "budtags.me";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn remember(me: Option<&Me>) {
    let Some(storage) = storage() else { return };
    let _ = match me.and_then(|me| serde_json::to_string(me).ok()) {
        Some(text) => storage.set_item(REMEMBERED, &text),
        None => storage.remove_item(REMEMBERED),
    };
}

fn remembered() -> Option<Me> {
    serde_json::from_str(&storage()?.get_item(REMEMBERED).ok()??).ok()
}

/// The signed-in person, once known.
#[derive(Clone, Copy)]
pub struct Session {
    /// `None` while loading or signed out (tell them apart with [`Session::loaded`]).
    pub me: RwSignal<Option<Me>>,
    /// Whether the first `/api/me` has answered.
    pub loaded: RwSignal<bool>,
    /// The session ended under the person (a `401`), rather than by signing out.
    pub expired: RwSignal<bool>,
}

impl Session {
    pub fn role(&self) -> Option<Role> {
        self.me.with(|m| m.as_ref().map(|m| m.role))
    }

    /// Whether the signed-in person's role allows `permission` (false when signed out).
    pub fn can(&self, permission: fn(Role) -> bool) -> bool {
        self.role().is_some_and(permission)
    }

    pub fn signed_in(&self) -> bool {
        self.me.with(Option::is_some)
    }

    /// Signs in; on success the session holds the person and the cache
    /// starts empty (another person's data never shows).
    pub async fn sign_in(self, credentials: Credentials) -> Result<Me, ApiError> {
        let me = calls::login(&credentials).await?;
        self.start(me.clone());
        Ok(me)
    }

    /// Signs out on the server, then forgets the person and their data here
    /// (what was kept on this device for the next visit too).
    pub async fn sign_out(self) -> Result<(), ApiError> {
        let result = calls::logout().await;
        let user = self.me.with_untracked(|m| m.as_ref().map(|m| m.user_id));
        self.end(false);
        if let Some(user) = user {
            persist::clear(user).await;
        }
        result
    }

    fn start(&self, me: Me) {
        remember(Some(&me));
        persist::keep_for(Some(me.user_id));
        api::set_csrf_token(Some(me.csrf_token.clone()));
        // Before the first answer nobody else was signed in here: what the
        // cache holds (e.g. licenses asked for while `/api/me` was on its
        // way) and the requests index.html started are this person's.
        if self.loaded.get_untracked() {
            forget_data();
        }
        self.expired.set(false);
        self.me.set(Some(me));
        self.loaded.set(true);
    }

    /// Forgets the person (`expired`: the server ended the session).
    fn end(&self, expired: bool) {
        remember(None);
        persist::keep_for(None);
        api::set_csrf_token(None);
        if self.me.get_untracked().is_some() {
            self.expired.set(expired);
        }
        self.me.set(None);
        self.loaded.set(true);
        forget_data();
    }
}

/// Drops everything fetched under the session that is ending or changing.
fn forget_data() {
    crate::query::query_client().clear();
    api::early::forget();
}

/// Provides the session and asks the server who is signed in. Call after
/// `provide_query_client`.
pub fn provide_session() -> Session {
    let session =
        Session { me: RwSignal::new(None), loaded: RwSignal::new(false), expired: RwSignal::new(false) };
    provide_context(session);
    let owner = Owner::current().expect("called inside the App component");
    let on_401 = owner.clone();
    api::on_unauthorized(move || {
        on_401.with(|| {
            if session.me.get_untracked().is_some() {
                session.end(true);
            }
        })
    });
    spawn_local(async move {
        let answer = calls::me().await;
        // Without the network or the server, the person last signed in here
        // goes on with what this device kept; the server has the last word
        // (a 401) once it answers.
        let me = match answer {
            Ok(me) => Ok(me),
            Err(e) if e.is_transient() => remembered().ok_or(e),
            Err(e) => Err(e),
        };
        if let Ok(me) = &me {
            persist::load_index(me.user_id).await;
        }
        owner.with(|| match me {
            Ok(me) => session.start(me),
            Err(ApiError::Unauthorized) => session.end(false),
            Err(e) => {
                // Not a verdict on the session (offline, server down): the
                // login page says what happened and signing in retries.
                leptos::logging::warn!("could not load the session: {e}");
                session.end(false);
            }
        });
    });
    session
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Where signing in should go: `next` if it is a path on this site, else `/`.
/// Never an open redirect: `//host`, `/\host`, schemes and control characters are refused.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next)
            if next.starts_with('/')
                && !next.starts_with("//")
                && !next.starts_with("/\\")
                && !next.chars().any(|c| c.is_control())
                && !next.starts_with("/login") =>
        {
            next.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// `/login?next=…` for a person who was at `path_and_query`.
pub fn login_path(path_and_query: &str) -> String {
    if path_and_query == "/" || path_and_query.is_empty() || path_and_query.starts_with("/login") {
        return "/login".to_owned();
    }
    let encoded: String = js_encode(path_and_query);
    format!("/login?next={encoded}")
}

#[cfg(target_arch = "wasm32")]
fn js_encode(text: &str) -> String {
    js_sys::encode_uri_component(text).into()
}

/// Natively (tests): the same as `encodeURIComponent` for ASCII.
#[cfg(not(target_arch = "wasm32"))]
fn js_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_returns_to_a_page_of_this_site() {
        assert_eq!(safe_next(Some("/labels")), "/labels");
        assert_eq!(
            safe_next(Some("/licenses/C11/packages?q=kush&sort=quantity")),
            "/licenses/C11/packages?q=kush&sort=quantity"
        );
    }

    #[test]
    fn next_is_never_an_open_redirect() {
        for bad in ["//evil.test/x", "/\\evil.test", "https://evil.test", "javascript:alert(1)", "", "/a\nb"]
        {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/login?next=/labels")), "/", "no loop back to the login page");
    }

    #[test]
    fn login_path_carries_where_the_person_was() {
        assert_eq!(login_path("/labels"), "/login?next=%2Flabels");
        assert_eq!(login_path("/jobs/7?x=1&y=2"), "/login?next=%2Fjobs%2F7%3Fx%3D1%26y%3D2");
        assert_eq!(login_path("/"), "/login");
        assert_eq!(login_path("/login?next=%2Flabels"), "/login");
    }
}
