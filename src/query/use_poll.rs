//! The one place polling timers live. A page declares a policy in one line;
//! this binding re-evaluates it after every fetch and cache write, and when
//! the tab's visibility or the network changes, and keeps at most one timer.

use std::{hash::Hash, rc::Rc, time::Duration};

use leptos::prelude::*;
use leptos_fetch::{QueryClient, QueryScopeLocal};

use super::{
    poll::{PollEnv, QueryState, next_poll},
    scopes::Fetched,
};
use crate::{api::ApiError, browser::use_browser_env};

/// A refetch-interval function: `Some(every)` or `None` to stop.
pub type Interval<K, T> = Rc<dyn Fn(&K, &QueryState<T, ApiError>) -> Option<Duration>>;

/// What a page shows about a polled query.
#[derive(Clone, Copy)]
pub struct PollStatus {
    /// A fetch is in flight (first load or refetch).
    pub fetching: Signal<bool>,
    /// When the data last arrived from the server (ms since the epoch).
    pub updated_at: Signal<Option<f64>>,
}

/// Polls `scope` at `key()` by `interval`, pausing while the tab is hidden
/// (unless `in_background`) and while offline.
pub fn use_poll<K, T>(
    client: QueryClient,
    scope: QueryScopeLocal<K, Fetched<T>>,
    key: impl Fn() -> K + Clone + 'static,
    interval: Interval<K, T>,
    in_background: bool,
) -> PollStatus
where
    K: Clone + Hash + std::fmt::Debug + PartialEq + 'static,
    T: Clone + std::fmt::Debug + 'static,
{
    let env = use_browser_env();
    let value = client.subscribe_value_local(scope.clone(), key.clone());
    let fetching = client.subscribe_is_fetching_local(scope.clone(), key.clone());
    let timer = StoredValue::new_local(None::<TimeoutHandle>);
    let clear = move || {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };

    Effect::new(move |_| {
        clear();
        if fetching.get() {
            return;
        }
        let key = key();
        let env = PollEnv { visible: env.visible.get(), online: env.online.get(), in_background };
        let delay = value.with(|v| {
            let v = v.as_ref()?;
            let age = Duration::from_millis((js_sys::Date::now() - v.at_ms).max(0.0) as u64);
            let failures = u32::from(v.result.is_err());
            let state = QueryState::from_result(Some(&v.result), failures, age);
            next_poll(interval(&key, &state), env, age)
        });
        if let Some(delay) = delay {
            let scope = scope.clone();
            let refetch = move || {
                client.invalidate_query(scope, &key);
            };
            timer.set_value(set_timeout_with_handle(refetch, delay).ok());
        }
    });
    on_cleanup(clear);

    let updated_at = Signal::derive(move || value.with(|v| v.as_ref().map(|v| v.at_ms)));
    PollStatus { fetching, updated_at }
}
