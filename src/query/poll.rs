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

impl<'a, T, E> QueryState<'a, T, E> {
    /// A query's state from its cached `Result`.
    pub fn from_result(value: Option<&'a Result<T, E>>, failure_count: u32, age: Duration) -> Self {
        match value {
            Some(Ok(data)) => Self { data: Some(data), error: None, failure_count, age },
            Some(Err(error)) => Self { data: None, error: Some(error), failure_count, age },
            None => Self { data: None, error: None, failure_count, age },
        }
    }
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
    fn state_from_result_separates_data_and_error() {
        let ok: Result<u8, &str> = Ok(1);
        let s = QueryState::from_result(Some(&ok), 0, Duration::ZERO);
        assert_eq!((s.data, s.error), (Some(&1), None));
        let err: Result<u8, &str> = Err("boom");
        let s = QueryState::from_result(Some(&err), 1, Duration::ZERO);
        assert_eq!((s.data, s.error), (None, Some(&"boom")));
    }
}
