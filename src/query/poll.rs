//! When to poll next: pure decisions, with time passed in.
//!
//! A query's *interval* comes from its data (`Some(every)` or `None` = stop);
//! [`next_poll`] turns that into a delay given the environment (tab visible,
//! online) and the age of the data.

use std::time::Duration;

/// What a refetch-interval function sees of a query.
#[derive(Debug)]
pub struct QueryState<'a, T, E> {
    /// The last successful value, if any.
    pub data: Option<&'a T>,
    /// The error of the last fetch, if it failed.
    pub error: Option<&'a E>,
    /// Consecutive failed fetches.
    pub failure_count: u32,
    /// How old the data is.
    pub age: Duration,
}

/// The browser environment, as plain values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollEnv {
    pub visible: bool,
    pub online: bool,
    /// Keep polling while the tab is hidden (TanStack's `refetchIntervalInBackground`).
    pub in_background: bool,
}

/// How long to wait before the next refetch, or `None` for no timer at all.
/// An interval already used up by the data's age fires at once (zero): that
/// is what makes a tab that becomes visible with stale data refetch now.
pub fn next_poll(interval: Option<Duration>, env: PollEnv, age: Duration) -> Option<Duration> {
    let interval = interval?;
    if !env.online || (!env.visible && !env.in_background) {
        return None;
    }
    Some(interval.saturating_sub(age))
}

/// Whether a realtime channel covers the query, and how it is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cover {
    /// No channel covers this query: poll by its interval.
    None,
    /// The covering channel is subscribed and healthy.
    Healthy,
    /// The covering channel is down: the fallback interval applies.
    Down,
}

/// A healthy covering channel replaces polling by the safety interval (or
/// none); otherwise the query's own interval applies. A query whose own
/// interval says stop stays stopped.
pub fn covered_interval(
    interval: Option<Duration>,
    cover: Cover,
    safety: Option<Duration>,
) -> Option<Duration> {
    match cover {
        Cover::Healthy => interval.and(safety),
        Cover::None | Cover::Down => interval,
    }
}

/// When to try a query again after `failures` failed fetches in a row, when
/// its own policy stopped on the error: 2 s, 4 s, 8 s … at most 20 s, each
/// between half and all of that (`unit` is uniform in `[0, 1)`). Bounded so a
/// page finds a server that is back within about 20 s, spread so a crowd of
/// pages does not return in step.
pub fn probe_after(failures: u32, unit: f64) -> Duration {
    let ceiling =
        PROBE_FIRST.saturating_mul(2u32.saturating_pow(failures.saturating_sub(1).min(16))).min(PROBE_CAP);
    ceiling.mul_f64(0.5 + 0.5 * unit.clamp(0.0, 1.0))
}

const PROBE_FIRST: Duration = Duration::from_secs(2);
pub const PROBE_CAP: Duration = Duration::from_secs(20);

/// Something in the environment that may call for a refetch outside the timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvEvent {
    /// The window gained focus.
    Focus,
    /// The browser came back online.
    Online,
    /// The covering channel is subscribed again after being down.
    Resubscribed,
}

/// Whether `event` should refetch a query whose data is `age` old.
pub fn should_refetch_on(event: EnvEvent, age: Duration, stale_time: Duration, errored: bool) -> bool {
    match event {
        // Something may have been missed while the channel was down.
        EnvEvent::Resubscribed => true,
        EnvEvent::Online => errored || age >= stale_time,
        EnvEvent::Focus => age >= stale_time,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECS_30: Duration = Duration::from_secs(30);
    const VISIBLE: PollEnv = PollEnv { visible: true, online: true, in_background: false };

    #[test]
    fn waits_out_the_rest_of_the_interval() {
        assert_eq!(next_poll(Some(SECS_30), VISIBLE, Duration::from_secs(12)), Some(Duration::from_secs(18)));
    }

    #[test]
    fn stale_data_refetches_at_once() {
        assert_eq!(next_poll(Some(SECS_30), VISIBLE, Duration::from_secs(95)), Some(Duration::ZERO));
    }

    #[test]
    fn stop_means_no_timer() {
        assert_eq!(next_poll(None, VISIBLE, Duration::ZERO), None);
    }

    #[test]
    fn hidden_tab_pauses_unless_asked_to_poll_in_background() {
        let hidden = PollEnv { visible: false, ..VISIBLE };
        assert_eq!(next_poll(Some(SECS_30), hidden, Duration::ZERO), None);
        let background = PollEnv { in_background: true, ..hidden };
        assert_eq!(next_poll(Some(SECS_30), background, Duration::ZERO), Some(SECS_30));
    }

    #[test]
    fn offline_sends_nothing_even_in_background() {
        let offline = PollEnv { online: false, in_background: true, ..VISIBLE };
        assert_eq!(next_poll(Some(SECS_30), offline, Duration::ZERO), None);
    }

    #[test]
    fn a_healthy_socket_replaces_polling_and_a_dropped_one_restores_it() {
        let safety = Some(Duration::from_secs(300));
        assert_eq!(covered_interval(Some(SECS_30), Cover::Healthy, safety), safety);
        assert_eq!(covered_interval(Some(SECS_30), Cover::Healthy, None), None);
        assert_eq!(covered_interval(Some(SECS_30), Cover::Down, safety), Some(SECS_30));
        assert_eq!(covered_interval(Some(SECS_30), Cover::None, safety), Some(SECS_30));
        assert_eq!(covered_interval(None, Cover::Healthy, safety), None, "stopped stays stopped");
    }

    #[test]
    fn focus_and_online_refetch_only_stale_or_failed_queries() {
        let stale = Duration::from_secs(20);
        assert!(!should_refetch_on(EnvEvent::Focus, Duration::from_secs(5), stale, false));
        assert!(should_refetch_on(EnvEvent::Focus, Duration::from_secs(25), stale, false));
        assert!(!should_refetch_on(EnvEvent::Online, Duration::from_secs(5), stale, false));
        assert!(should_refetch_on(EnvEvent::Online, Duration::from_secs(5), stale, true));
        assert!(should_refetch_on(EnvEvent::Resubscribed, Duration::ZERO, stale, false));
    }

    #[test]
    fn a_stopped_query_is_probed_with_growing_bounded_delays() {
        let secs = |failures, unit| probe_after(failures, unit).as_secs_f64();
        assert_eq!((secs(1, 0.0), secs(1, 0.999_999).round()), (1.0, 2.0));
        assert_eq!((secs(2, 0.0), secs(3, 0.0)), (2.0, 4.0));
        for failures in [5, 6, 40, u32::MAX] {
            assert!(probe_after(failures, 0.999_999) <= PROBE_CAP, "never more than 20 s");
            assert!(probe_after(failures, 0.0) >= PROBE_CAP / 2, "never in step");
        }
    }
}
