//! The one place polling timers live. A page declares its policy in one line;
//! this binding re-evaluates it after every fetch and cache write, and when
//! visibility, the network or the covering socket changes, and keeps at most
//! one timer. Focus, coming online and a resubscribed socket refetch at once
//! when the decision functions in [`super::poll`] say so; after a failed
//! fetch a bounded backoff probe ([`probe_after`]) finds the server again
//! even when the policy stopped polling and no live connection is up.

use std::{hash::Hash, rc::Rc, time::Duration};

use leptos::{ev, prelude::*};
use leptos_fetch::{QueryClient, QueryScopeLocal};
use leptos_use_event_listener::use_event_listener;

use super::{
    poll::{
        Cover, EnvEvent, PollEnv, QueryState, covered_interval, next_poll, probe_after, should_refetch_on,
    },
    scopes::Fetched,
};
use crate::{api::ApiError, browser::use_browser_env, realtime::ConnectionState};

/// A refetch-interval function: `Some(every)` or `None` to stop.
pub type Interval<K, T> = Rc<dyn Fn(&K, &QueryState<T, ApiError>) -> Option<Duration>>;

/// How a query polls. Built with `PollOptions::new(interval)` and `with_*`.
pub struct PollOptions<K, T> {
    interval: Interval<K, T>,
    stale_time: Duration,
    in_background: bool,
    covered_by: Option<Signal<ConnectionState>>,
    safety_interval: Option<Duration>,
}

impl<K, T> PollOptions<K, T> {
    /// Poll by `interval`; stale after 20 s; paused in hidden tabs; no socket.
    pub fn new(interval: impl Fn(&K, &QueryState<T, ApiError>) -> Option<Duration> + 'static) -> Self {
        Self {
            interval: Rc::new(interval),
            stale_time: Duration::from_secs(20),
            in_background: false,
            covered_by: None,
            safety_interval: None,
        }
    }

    /// Age after which focus or coming online refetches.
    pub fn with_stale_time(mut self, stale_time: Duration) -> Self {
        self.stale_time = stale_time;
        self
    }

    /// Keep polling while the tab is hidden.
    pub fn in_background(mut self) -> Self {
        self.in_background = true;
        self
    }

    /// A realtime connection that covers this query: while it is healthy,
    /// poll only every `safety` (or not at all); when it drops, the interval
    /// engages at once; when it is back, refetch once.
    pub fn covered_by(mut self, connection: Signal<ConnectionState>, safety: Option<Duration>) -> Self {
        self.covered_by = Some(connection);
        self.safety_interval = safety;
        self
    }
}

/// What a page shows about a polled query.
#[derive(Clone, Copy)]
pub struct PollStatus {
    /// A fetch is in flight (first load or refetch).
    pub fetching: Signal<bool>,
    /// When new data last arrived (ms since the epoch).
    pub updated_at: Signal<Option<f64>>,
}

/// Polls `scope` at `key()` by `options`.
pub fn use_poll<K, T>(
    client: QueryClient,
    scope: QueryScopeLocal<K, Fetched<T>>,
    key: impl Fn() -> K + Clone + 'static,
    options: PollOptions<K, T>,
) -> PollStatus
where
    K: Clone + Hash + std::fmt::Debug + PartialEq + 'static,
    T: Clone + std::fmt::Debug + 'static,
{
    let env = use_browser_env();
    let scale = env.poll_scale;
    let value = client.subscribe_value_local(scope.clone(), key.clone());
    let fetching = client.subscribe_is_fetching_local(scope.clone(), key.clone());
    let timer = StoredValue::new_local(None::<TimeoutHandle>);
    let clear = move || {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };
    let refetch: Rc<dyn Fn()> = {
        let (scope, key) = (scope.clone(), key.clone());
        Rc::new(move || {
            client.invalidate_query(scope.clone(), key());
        })
    };
    // (age of the data, last fetch failed), or None before the first answer.
    let age = move || {
        value.with_untracked(|v| {
            v.as_ref().map(|v| {
                let ms = (js_sys::Date::now() - v.checked_at).max(0.0) / scale;
                (Duration::from_millis(ms as u64), v.error.is_some())
            })
        })
    };
    let stale_time = options.stale_time;
    let on_event: Rc<dyn Fn(EnvEvent)> = {
        let refetch = refetch.clone();
        Rc::new(move |event| {
            if let Some((age, errored)) = age()
                && should_refetch_on(event, age, stale_time, errored)
            {
                refetch();
            }
        })
    };

    let cover = options.covered_by;
    let (interval, in_background, safety) =
        (options.interval, options.in_background, options.safety_interval);
    let schedule = refetch.clone();
    Effect::new(move |_| {
        clear();
        if fetching.get() {
            return;
        }
        let key = key();
        let env = PollEnv { visible: env.visible.get(), online: env.online.get(), in_background };
        let cover = match cover.map(|c| c.get()) {
            None => Cover::None,
            Some(ConnectionState::Connected) => Cover::Healthy,
            Some(_) => Cover::Down,
        };
        let delay = value.with(|v| {
            let v = v.as_ref()?;
            let age = Duration::from_millis(((js_sys::Date::now() - v.checked_at).max(0.0) / scale) as u64);
            let state =
                QueryState { data: v.data.as_ref(), error: v.error.as_ref(), failure_count: v.failures, age };
            // The policy may stop on an error; a bounded probe still finds
            // the server once it is back.
            let every = covered_interval(interval(&key, &state), cover, safety).or_else(|| {
                let transient = v.error.as_ref().is_some_and(ApiError::is_transient);
                transient.then(|| probe_after(v.failures, js_sys::Math::random()))
            });
            next_poll(every, env, age)
        });
        if let Some(delay) = delay {
            let schedule = schedule.clone();
            timer.set_value(set_timeout_with_handle(move || schedule(), delay.mul_f64(scale)).ok());
        }
    });
    on_cleanup(clear);

    let on_focus = on_event.clone();
    let _ = use_event_listener(window(), ev::focus, move |_| on_focus(EnvEvent::Focus));
    let on_online = on_event.clone();
    Effect::new(move |was_online: Option<bool>| {
        let online = env.online.get();
        if was_online == Some(false) && online {
            on_online(EnvEvent::Online);
        }
        online
    });
    if let Some(cover) = cover {
        // Refetch once when the channel is back after having been down.
        Effect::new(move |previous: Option<ConnectionState>| {
            let now = cover.get();
            let was_down = matches!(previous, Some(ConnectionState::Reconnecting | ConnectionState::Offline));
            if was_down && now == ConnectionState::Connected {
                on_event(EnvEvent::Resubscribed);
            }
            now
        });
    }

    let updated_at = Signal::derive(move || value.with(|v| v.as_ref().map(|v| v.changed_at)));
    PollStatus { fetching, updated_at }
}
