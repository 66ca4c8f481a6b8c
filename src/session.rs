//! Who is signed in, as context for every page: the `Me` from `/api/me` or the
//! sign-in answer, and what their role lets them do.
//!
//! TODO(session helper): load `/api/me` at start, sign in/out, send the person
//! to `/login?next=…` when the session ends, keep `api::set_csrf_token` in step.

use budtags_wire::{Me, Role};
use leptos::prelude::*;

/// The signed-in person, once known (`None` while loading or signed out).
#[derive(Clone, Copy)]
pub struct Session {
    pub me: RwSignal<Option<Me>>,
}

impl Session {
    pub fn role(&self) -> Option<Role> {
        self.me.with(|m| m.as_ref().map(|m| m.role))
    }

    /// Whether the signed-in person's role allows `permission` (false when signed out).
    pub fn can(&self, permission: fn(Role) -> bool) -> bool {
        self.role().is_some_and(permission)
    }
}

pub fn provide_session() -> Session {
    let session = Session { me: RwSignal::new(None) };
    provide_context(session);
    session
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
