//! The query layer: leptos-fetch holds the cache; this module adds what it
//! leaves to applications.
//!
//! - [`poll`]: the refetch interval as a function of the query's state (pure).
//! - [`patch`]: applying a changed package to cached lists, refusing stale versions (pure).
//! - [`use_poll`]: the one place timers live; pauses in hidden tabs and offline.
//! - [`scopes`]: the app's query scopes and their options.

pub mod patch;
pub mod poll;
pub mod scopes;
pub mod use_poll;

pub use use_poll::{PollStatus, use_poll};
