//! The toast service and its host element. Thin: timers and the view; the
//! queue decides.

use leptos::prelude::*;

use super::queue::{Toast, ToastQueue, ToastSpec};

/// The app-wide toast service (a typed context).
#[derive(Clone, Copy)]
pub struct Toasts {
    queue: RwSignal<ToastQueue, LocalStorage>,
}

impl Toasts {
    /// Shows a toast (unless its key was shown before) and schedules its close.
    pub fn show(&self, spec: ToastSpec) {
        let Some(toast) = self.queue.try_update(|q| q.push(spec)).flatten() else { return };
        if let Some(after) = toast.auto_close {
            let me = *self;
            set_timeout(move || me.dismiss(toast.id), after);
        }
    }

    pub fn dismiss(&self, id: u64) {
        self.queue.try_update(|q| q.dismiss(id));
    }

    fn visible(&self) -> Vec<Toast> {
        self.queue.with(|q| q.toasts.clone())
    }
}

pub fn provide_toasts() -> Toasts {
    let toasts = Toasts { queue: RwSignal::new_local(ToastQueue::default()) };
    provide_context(toasts);
    toasts
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// The stack of toasts, bottom right. The list is an ARIA live region, so
/// screen readers announce each new toast; errors interrupt (`alert`).
#[component]
pub fn Toaster() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <ol class="toaster" aria-live="polite" aria-relevant="additions" data-testid="toasts">
            <For each=move || toasts.visible() key=|t| t.id let:toast>
                <li
                    class=toast.level.class()
                    role=if toast.level == super::Level::Error { "alert" } else { "status" }
                >
                    <span class="toast__message">{toast.message.clone()}</span>
                    <button
                        class="toast__close"
                        aria-label="Dismiss"
                        on:click=move |_| toasts.dismiss(toast.id)
                    >
                        "×"
                    </button>
                </li>
            </For>
        </ol>
    }
}
