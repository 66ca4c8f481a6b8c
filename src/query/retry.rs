//! Whether and when to retry a failed fetch. Pure: the random number comes in.

use std::time::Duration;

use crate::{api::ApiError, backoff::Backoff};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first failure (so `attempts + 1` requests at most).
    pub attempts: u32,
    pub backoff: Backoff,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            backoff: Backoff { base: Duration::from_millis(500), cap: Duration::from_secs(10) },
        }
    }
}

impl RetryPolicy {
    /// The delay before retry number `retry` (0-based) after `error`, or
    /// `None` to give up. Client errors are final, except 408 and 429; a
    /// server's `Retry-After` is waited out in full.
    pub fn delay(&self, retry: u32, error: &ApiError, unit: f64) -> Option<Duration> {
        if retry >= self.attempts {
            return None;
        }
        let jittered = self.backoff.delay(retry, unit);
        match error {
            ApiError::RateLimited { retry_after: Some(after) } => Some((*after).max(jittered)),
            ApiError::RateLimited { retry_after: None }
            | ApiError::Timeout
            | ApiError::Network(_)
            | ApiError::Server { .. } => Some(jittered),
            ApiError::BadRequest(_)
            | ApiError::Invalid { .. }
            | ApiError::Unauthorized
            | ApiError::Forbidden(_)
            | ApiError::NotFound(_)
            | ApiError::Conflict(_)
            | ApiError::Decode(_)
            | ApiError::Offline => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        attempts: 3,
        backoff: Backoff { base: Duration::from_secs(1), cap: Duration::from_secs(8) },
    };

    #[test]
    fn server_and_network_errors_back_off_exponentially_with_jitter() {
        let err = ApiError::Server { status: 503, message: "down".into() };
        assert_eq!(POLICY.delay(0, &err, 0.5), Some(Duration::from_millis(500)));
        assert_eq!(POLICY.delay(2, &err, 0.5), Some(Duration::from_secs(2)));
        assert_eq!(POLICY.delay(2, &ApiError::Network("reset".into()), 0.0), Some(Duration::ZERO));
    }

    #[test]
    fn gives_up_after_the_configured_attempts() {
        assert_eq!(POLICY.delay(3, &ApiError::Timeout, 0.5), None);
    }

    #[test]
    fn client_errors_are_final_except_408_and_429() {
        for err in [
            ApiError::BadRequest("x".into()),
            ApiError::Unauthorized,
            ApiError::Forbidden("x".into()),
            ApiError::NotFound("x".into()),
            ApiError::Conflict("x".into()),
        ] {
            assert_eq!(POLICY.delay(0, &err, 0.5), None, "{err:?}");
        }
        assert!(POLICY.delay(0, &ApiError::Timeout, 0.5).is_some());
        assert!(POLICY.delay(0, &ApiError::RateLimited { retry_after: None }, 0.5).is_some());
    }

    #[test]
    fn retry_after_is_honoured() {
        let err = ApiError::RateLimited { retry_after: Some(Duration::from_secs(7)) };
        assert_eq!(POLICY.delay(0, &err, 0.9), Some(Duration::from_secs(7)));
    }

    #[test]
    fn offline_waits_for_the_network_instead_of_retrying() {
        assert_eq!(POLICY.delay(0, &ApiError::Offline, 0.5), None);
    }
}
