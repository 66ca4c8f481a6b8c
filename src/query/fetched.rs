//! What a query's cache entry holds: the last good data *beside* the last
//! error, so a refresh that fails never hides what the page already showed
//! (TanStack Query's stale-while-error). Pure: how each answer changes an
//! entry, and which of three phases a page is in.

use crate::api::ApiError;

/// A query's cache entry. Times are ms since the epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct Fetched<T> {
    /// The last good data. Kept when a later fetch fails, dropped only when
    /// the server says it is gone (`404`, `403`).
    pub data: Option<T>,
    /// Why the last fetch failed; `None` once a fetch succeeds again.
    pub error: Option<ApiError>,
    /// When new data last arrived: what "Updated" shows.
    pub changed_at: f64,
    /// When the server last vouched for `data` (`200` or `304`).
    pub confirmed_at: f64,
    /// When the last fetch ended, good or bad: what polling counts from.
    pub checked_at: f64,
    /// Fetches that failed in a row (each one already retried).
    pub failures: u32,
    /// The validator of `data`, for the next conditional fetch.
    pub etag: Option<String>,
}

/// How one fetch ended.
#[derive(Debug)]
pub enum Answer<T> {
    /// New data, with its validator.
    Modified {
        value: T,
        etag: Option<String>,
    },
    /// `304`: what the cache holds is current.
    NotModified,
    Failed(ApiError),
}

/// What a page shows for a query.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Nothing yet and nothing wrong: the first fetch is on its way.
    Loading,
    /// There is nothing to show, and this is why: the full error panel.
    Failed(ApiError),
    /// There is data (perhaps with a failed refresh beside it: [`Fetched::stale`]).
    Ready,
}

/// A refresh failed while older data is shown: what the quiet banner says.
#[derive(Clone, Debug, PartialEq)]
pub struct Stale {
    pub error: ApiError,
    /// When the refresh failed.
    pub failed_at: f64,
    /// When the data shown was last confirmed by the server.
    pub data_from: f64,
}

impl<T> Fetched<T> {
    /// Data the server just sent (a fetch, or the answer to a write).
    pub fn fresh(value: T, etag: Option<String>, now: f64) -> Self {
        Self {
            data: Some(value),
            error: None,
            changed_at: now,
            confirmed_at: now,
            checked_at: now,
            failures: 0,
            etag,
        }
    }

    /// The entry after `answer`, given the entry before it.
    pub fn answered(previous: Option<Self>, answer: Answer<T>, now: f64) -> Self {
        match (answer, previous) {
            (Answer::Modified { value, etag }, _) => Self::fresh(value, etag, now),
            (Answer::NotModified, Some(previous)) if previous.data.is_some() => {
                Self { error: None, confirmed_at: now, checked_at: now, failures: 0, ..previous }
            }
            (Answer::NotModified, previous) => {
                Self::failed(previous, ApiError::Decode("304 without a cached copy".into()), now)
            }
            (Answer::Failed(error), previous) => Self::failed(previous, error, now),
        }
    }

    fn failed(previous: Option<Self>, error: ApiError, now: f64) -> Self {
        let failures = previous.as_ref().map_or(0, |p| p.failures).saturating_add(1);
        let gone = matches!(error, ApiError::NotFound(_) | ApiError::Forbidden(_));
        match previous {
            Some(previous) if !gone => Self { error: Some(error), checked_at: now, failures, ..previous },
            _ => Self {
                data: None,
                error: Some(error),
                changed_at: now,
                confirmed_at: 0.0,
                checked_at: now,
                failures,
                etag: None,
            },
        }
    }

    /// The phase a page is in.
    pub fn phase(entry: Option<&Self>) -> Phase {
        match entry {
            None => Phase::Loading,
            Some(Self { data: Some(_), .. }) => Phase::Ready,
            Some(Self { error: Some(error), .. }) => Phase::Failed(error.clone()),
            Some(_) => Phase::Loading,
        }
    }

    /// A failed refresh beside data that is still shown.
    pub fn stale(&self) -> Option<Stale> {
        match (&self.data, &self.error) {
            (Some(_), Some(error)) => {
                Some(Stale { error: error.clone(), failed_at: self.checked_at, data_from: self.confirmed_at })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn down() -> ApiError {
        ApiError::Network("Failed to fetch".into())
    }

    fn loaded() -> Fetched<u32> {
        Fetched::answered(None, Answer::Modified { value: 7, etag: Some("\"r7\"".into()) }, 1_000.0)
    }

    #[test]
    fn a_failed_refresh_keeps_the_data_beside_the_error() {
        let after = Fetched::answered(Some(loaded()), Answer::Failed(down()), 5_000.0);
        assert_eq!(after.data, Some(7));
        assert_eq!(after.etag.as_deref(), Some("\"r7\""), "the next fetch may still get a 304");
        assert_eq!((after.failures, after.checked_at, after.changed_at), (1, 5_000.0, 1_000.0));
        assert_eq!(Fetched::phase(Some(&after)), Phase::Ready);
        assert_eq!(after.stale(), Some(Stale { error: down(), failed_at: 5_000.0, data_from: 1_000.0 }));
    }

    #[test]
    fn failures_count_up_until_a_fetch_succeeds() {
        let once = Fetched::answered(Some(loaded()), Answer::Failed(down()), 2_000.0);
        let twice = Fetched::answered(Some(once), Answer::Failed(ApiError::Timeout), 3_000.0);
        assert_eq!(twice.failures, 2);
        let back = Fetched::answered(Some(twice), Answer::NotModified, 4_000.0);
        assert_eq!((back.failures, &back.error, back.data), (0, &None, Some(7)));
        assert_eq!(
            (back.confirmed_at, back.changed_at),
            (4_000.0, 1_000.0),
            "a 304 confirms, it does not change"
        );
        assert_eq!(back.stale(), None);
    }

    #[test]
    fn the_error_panel_is_only_for_a_query_that_never_had_data() {
        let never = Fetched::<u32>::answered(None, Answer::Failed(down()), 1_000.0);
        assert_eq!(Fetched::phase(Some(&never)), Phase::Failed(down()));
        assert_eq!(never.stale(), None);
        assert_eq!(Fetched::<u32>::phase(None), Phase::Loading);
    }

    #[test]
    fn not_found_and_forbidden_mean_the_data_is_gone() {
        for gone in [ApiError::NotFound("No transfer 9.".into()), ApiError::Forbidden("Not yours.".into())] {
            let after = Fetched::answered(Some(loaded()), Answer::Failed(gone.clone()), 2_000.0);
            assert_eq!((after.data, &after.etag), (None, &None));
            assert_eq!(Fetched::phase(Some(&after)), Phase::Failed(gone));
        }
    }

    #[test]
    fn new_data_replaces_everything() {
        let failed = Fetched::answered(Some(loaded()), Answer::Failed(down()), 2_000.0);
        let after = Fetched::answered(Some(failed), Answer::Modified { value: 8, etag: None }, 3_000.0);
        assert_eq!(after, Fetched::fresh(8, None, 3_000.0));
    }

    #[test]
    fn a_304_with_nothing_cached_is_an_error_not_data() {
        let after = Fetched::<u32>::answered(None, Answer::NotModified, 1_000.0);
        assert!(matches!(Fetched::phase(Some(&after)), Phase::Failed(ApiError::Decode(_))));
    }
}
