//! Retry and reconnection delays: "full jitter" exponential backoff. The delay for
//! attempt `n` is uniform in `[0, min(cap, base × 2ⁿ))`, which spreads a
//! crowd of clients that lost the same server instead of herding them.

use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base: Duration::from_millis(500), cap: Duration::from_secs(30) }
    }
}

impl Backoff {
    /// The delay before attempt `attempt` (0-based), given a uniform random
    /// number `unit` in `[0, 1)`.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let ceiling = self.base.saturating_mul(2u32.saturating_pow(attempt.min(31))).min(self.cap);
        ceiling.mul_f64(unit.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_up_to_the_cap() {
        let b = Backoff::default();
        let almost_one = 0.999_999;
        assert!(b.delay(0, almost_one) < Duration::from_millis(500));
        assert!(b.delay(3, almost_one) > Duration::from_millis(3_999));
        assert!(b.delay(3, almost_one) < Duration::from_millis(4_000));
        assert!(b.delay(40, almost_one) <= Duration::from_secs(30));
    }

    #[test]
    fn jitter_spans_zero_to_the_ceiling() {
        let b = Backoff::default();
        assert_eq!(b.delay(5, 0.0), Duration::ZERO);
        assert_eq!(b.delay(5, 0.5), Duration::from_secs(8));
    }
}
