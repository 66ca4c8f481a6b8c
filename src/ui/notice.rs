//! An inline message under a form or at the top of a workspace: a scan's
//! confirmation, a refused decision. Errors are `role=alert` (read out at
//! once); confirmations are `role=status`.

use leptos::prelude::*;

/// What a notice says and how.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub ok: bool,
    pub text: String,
}

impl Notice {
    pub fn ok(text: impl Into<String>) -> Self {
        Self { ok: true, text: text.into() }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self { ok: false, text: text.into() }
    }
}

/// Shows the notice (nothing when `None`). Keyed by its text and a counter the
/// caller bumps, so the same confirmation twice still flashes again.
#[component]
pub fn NoticeBar(notice: RwSignal<Option<(u64, Notice)>>, #[prop(into)] testid: String) -> impl IntoView {
    move || {
        notice.get().map(|(_, n)| {
            let (class, role) =
                if n.ok { ("notice notice--ok", "status") } else { ("notice notice--bad", "alert") };
            view! {
                <div class=class role=role data-testid=testid.clone()>
                    {n.text}
                </div>
            }
        })
    }
}
