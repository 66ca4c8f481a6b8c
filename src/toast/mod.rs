//! Toasts: info / success / warning / error, stacked, auto-closing,
//! dismissable, announced to screen readers, never twice for one event.
//!
//! - [`queue`]: the pure queue (de-duplication, stacking, durations).
//! - [`view`]: `provide_toasts()` / `use_toasts()` and the `<Toaster/>` host.

pub mod queue;
pub mod view;

pub use queue::{Level, ToastSpec};
pub use view::{Toaster, Toasts, provide_toasts, use_toasts};
