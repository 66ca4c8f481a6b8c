//! Latency statistics: a lock-free histogram every client task records into,
//! and nearest-rank percentiles read from a snapshot of it.
//!
//! Buckets are 10 µs wide up to 1 s and 1 ms wide from 1 s to 100 s; longer
//! latencies share one overflow bucket. A percentile is the upper edge of
//! its bucket (never better than the truth), capped at the exact maximum.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// Width of the fine buckets, in µs.
const FINE_US: u64 = 10;
/// Where the fine buckets end.
const FINE_END_US: u64 = 1_000_000;
/// Width of the coarse buckets, in µs.
const COARSE_US: u64 = 1_000;
/// Where the coarse buckets end; later values land in the overflow bucket.
const COARSE_END_US: u64 = 100_000_000;
const FINE_BUCKETS: usize = (FINE_END_US / FINE_US) as usize;
const COARSE_BUCKETS: usize = ((COARSE_END_US - FINE_END_US) / COARSE_US) as usize;
/// Every bucket, the overflow bucket last.
pub const BUCKETS: usize = FINE_BUCKETS + COARSE_BUCKETS + 1;

/// The bucket a latency of `us` microseconds falls in.
pub fn bucket_of(us: u64) -> usize {
    if us < FINE_END_US {
        (us / FINE_US) as usize
    } else if us < COARSE_END_US {
        FINE_BUCKETS + ((us - FINE_END_US) / COARSE_US) as usize
    } else {
        BUCKETS - 1
    }
}

/// The largest latency bucket `bucket` holds (`u64::MAX` for the overflow bucket).
pub fn bucket_upper(bucket: usize) -> u64 {
    if bucket < FINE_BUCKETS {
        (bucket as u64 + 1) * FINE_US - 1
    } else if bucket < BUCKETS - 1 {
        FINE_END_US + ((bucket - FINE_BUCKETS) as u64 + 1) * COARSE_US - 1
    } else {
        u64::MAX
    }
}

/// Latency counts shared by every client task: one relaxed atomic add per delivery.
pub struct Histogram {
    counts: Box<[AtomicU64]>,
    max_us: AtomicU64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self { counts: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(), max_us: AtomicU64::new(0) }
    }
}

impl Histogram {
    pub fn record(&self, us: u64) {
        self.counts[bucket_of(us)].fetch_add(1, Ordering::Relaxed);
        self.max_us.fetch_max(us, Ordering::Relaxed);
    }

    /// The counts so far, as a plain value.
    pub fn snapshot(&self) -> Counts {
        Counts {
            counts: self.counts.iter().map(|c| c.load(Ordering::Relaxed)).collect(),
            max_us: self.max_us.load(Ordering::Relaxed),
        }
    }
}

/// A histogram's counts at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counts {
    pub counts: Vec<u64>,
    pub max_us: u64,
}

impl Counts {
    /// Counts of the latencies in `values` (µs): what a [`Histogram`] would hold.
    pub fn of(values: &[u64]) -> Self {
        let histogram = Histogram::default();
        values.iter().for_each(|&v| histogram.record(v));
        histogram.snapshot()
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Nearest-rank percentile `q` (0 < q ≤ 1) in µs: the smallest bucket
    /// edge at or below which at least `ceil(q × n)` latencies lie.
    pub fn percentile(&self, q: f64) -> Option<u64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (bucket, &count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Some(bucket_upper(bucket).min(self.max_us));
            }
        }
        Some(self.max_us)
    }

    pub fn summary(&self) -> Summary {
        let ms = |us: Option<u64>| us.map(|us| us as f64 / 1_000.0);
        Summary {
            count: self.total(),
            p50_ms: ms(self.percentile(0.50)),
            p95_ms: ms(self.percentile(0.95)),
            p99_ms: ms(self.percentile(0.99)),
            max_ms: ms((self.total() > 0).then_some(self.max_us)),
        }
    }
}

/// What a table row shows of a latency distribution.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Latencies recorded.
    pub count: u64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_cover_their_edges() {
        for us in [0, 9, 10, 999_999, 1_000_000, 1_000_999, 1_001_000, 99_999_999, 100_000_000] {
            let bucket = bucket_of(us);
            assert!(us <= bucket_upper(bucket), "{us} above its bucket {bucket}");
            if bucket > 0 {
                assert!(us > bucket_upper(bucket - 1), "{us} fits bucket {}", bucket - 1);
            }
        }
        assert_eq!(bucket_of(u64::MAX), BUCKETS - 1);
        assert_eq!(bucket_upper(BUCKETS - 2), COARSE_END_US - 1);
    }

    #[test]
    fn percentiles_are_nearest_rank_to_10_us() {
        // 1..=100 ms.
        let counts = Counts::of(&(1..=100).map(|ms| ms * 1_000).collect::<Vec<_>>());
        assert_eq!(counts.total(), 100);
        assert_eq!(counts.percentile(0.50), Some(50_009));
        assert_eq!(counts.percentile(0.95), Some(95_009));
        assert_eq!(counts.percentile(0.99), Some(99_009));
        assert_eq!(counts.percentile(1.0), Some(100_000), "capped at the exact maximum");
        let summary = counts.summary();
        assert_eq!(summary.max_ms, Some(100.0));
        assert_eq!(summary.p50_ms, Some(50.009));
    }

    #[test]
    fn a_single_slow_delivery_shows_at_p99_only_when_it_is_1_percent() {
        let mut values = vec![2_000; 99];
        values.push(400_000);
        let counts = Counts::of(&values);
        assert_eq!(counts.percentile(0.99), Some(2_009));
        values.push(400_000);
        let counts = Counts::of(&values);
        assert_eq!(counts.percentile(0.99), Some(400_000));
    }

    #[test]
    fn long_latencies_use_millisecond_buckets() {
        let counts = Counts::of(&[2_500_400]);
        assert_eq!(counts.percentile(0.5), Some(2_500_400), "capped at the maximum");
        let counts = Counts::of(&[2_500_400, 2_500_400, 3_000_000]);
        assert_eq!(counts.percentile(0.5), Some(2_500_999));
    }

    #[test]
    fn nothing_recorded_has_no_percentiles() {
        let summary = Counts::of(&[]).summary();
        assert_eq!(summary, Summary { count: 0, p50_ms: None, p95_ms: None, p99_ms: None, max_ms: None });
    }
}
