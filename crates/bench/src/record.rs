//! Latency bookkeeping: what each triggered event carries (a [`Stamp`]: its
//! phase, its number and the bench's clock when it was sent), how a client
//! finds it in a frame, and the [`Recorder`] every client task counts into.
//!
//! The stamp travels as the event's `data` string, which a Pusher server
//! forwards verbatim: `budtags-bench:r:7:1764153600123456` is fan-out round 7,
//! sent at that many µs since the Unix epoch. The bench sends and receives
//! with the same clock, so a delivery's latency is `received − sent`.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::stats::{Counts, Histogram};

/// What every stamp starts with; nothing else a server sends contains it.
const MARK: &str = "budtags-bench:";

/// Which part of a run an event belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The round sent before the measured ones (first-use allocations).
    Warmup,
    /// A measured fan-out round: the next starts once everyone got this one.
    Round,
    /// Step `n` of the sustained phase.
    Step(u16),
}

/// What a triggered event carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub phase: Phase,
    /// The round, or the event's number within its step.
    pub seq: u32,
    /// When the bench sent it, µs since the Unix epoch.
    pub sent_us: u64,
}

impl Stamp {
    /// The event's `data` string.
    pub fn encode(&self) -> String {
        let phase = match self.phase {
            Phase::Warmup => "w".to_owned(),
            Phase::Round => "r".to_owned(),
            Phase::Step(n) => format!("s{n}"),
        };
        format!("{MARK}{phase}:{}:{}", self.seq, self.sent_us)
    }

    /// The stamp in a frame's text, if it has one. Cheap (no JSON parsing):
    /// a client runs this on every frame. The stamp has no characters JSON
    /// escapes, so it appears verbatim however the server encodes the frame.
    pub fn find_in(frame: &str) -> Option<Self> {
        let start = frame.find(MARK)? + MARK.len();
        let rest = &frame[start..];
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == ':')).unwrap_or(rest.len());
        let mut parts = rest[..end].split(':');
        let phase = match parts.next()? {
            "w" => Phase::Warmup,
            "r" => Phase::Round,
            step => Phase::Step(step.strip_prefix('s')?.parse().ok()?),
        };
        let seq = parts.next()?.parse().ok()?;
        let sent_us = parts.next()?.parse().ok()?;
        parts.next().is_none().then_some(Self { phase, seq, sent_us })
    }
}

/// One sustained step's deliveries.
#[derive(Default)]
struct StepTally {
    deliveries: AtomicU64,
    latency: Histogram,
}

/// Counts and latencies of one server run, shared by every client task.
pub struct Recorder {
    warmup: AtomicU64,
    rounds: Vec<AtomicU64>,
    round_latency: Histogram,
    steps: Vec<StepTally>,
    /// Stamps naming a round or step this run does not have.
    strays: AtomicU64,
}

impl Recorder {
    pub fn new(rounds: usize, steps: usize) -> Self {
        Self {
            warmup: AtomicU64::new(0),
            rounds: (0..rounds).map(|_| AtomicU64::new(0)).collect(),
            round_latency: Histogram::default(),
            steps: (0..steps).map(|_| StepTally::default()).collect(),
            strays: AtomicU64::new(0),
        }
    }

    /// One client received the event `stamp` at `received_us`.
    pub fn record(&self, stamp: &Stamp, received_us: u64) {
        let latency = received_us.saturating_sub(stamp.sent_us);
        match stamp.phase {
            Phase::Warmup => {
                self.warmup.fetch_add(1, Ordering::Relaxed);
            }
            Phase::Round => match self.rounds.get(stamp.seq as usize) {
                Some(count) => {
                    count.fetch_add(1, Ordering::Relaxed);
                    self.round_latency.record(latency);
                }
                None => self.stray(),
            },
            Phase::Step(n) => match self.steps.get(usize::from(n)) {
                Some(step) => {
                    step.deliveries.fetch_add(1, Ordering::Relaxed);
                    step.latency.record(latency);
                }
                None => self.stray(),
            },
        }
    }

    fn stray(&self) {
        self.strays.fetch_add(1, Ordering::Relaxed);
    }

    pub fn warmup_deliveries(&self) -> u64 {
        self.warmup.load(Ordering::Relaxed)
    }

    pub fn round_deliveries(&self, round: usize) -> u64 {
        self.rounds[round].load(Ordering::Relaxed)
    }

    /// Deliveries still missing from the rounds, with `clients` expected per round.
    pub fn rounds_missed(&self, clients: u64) -> u64 {
        missed(clients, (0..self.rounds.len()).map(|r| self.round_deliveries(r)))
    }

    pub fn round_latency(&self) -> Counts {
        self.round_latency.snapshot()
    }

    pub fn step_deliveries(&self, step: usize) -> u64 {
        self.steps[step].deliveries.load(Ordering::Relaxed)
    }

    pub fn step_latency(&self, step: usize) -> Counts {
        self.steps[step].latency.snapshot()
    }

    pub fn strays(&self) -> u64 {
        self.strays.load(Ordering::Relaxed)
    }
}

/// Deliveries missing when every event should have reached `expected` clients.
/// More than expected (a duplicate) does not make up for a loss elsewhere.
pub fn missed(expected: u64, delivered: impl IntoIterator<Item = u64>) -> u64 {
    delivered.into_iter().map(|d| expected.saturating_sub(d)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(phase: Phase, seq: u32) -> Stamp {
        Stamp { phase, seq, sent_us: 1_764_153_600_123_456 }
    }

    #[test]
    fn stamps_survive_both_servers_frame_shapes() {
        for phase in [Phase::Warmup, Phase::Round, Phase::Step(3)] {
            let stamp = stamp(phase, 7);
            let data = stamp.encode();
            let ours = format!(r#"{{"event":"tick","channel":"bench","data":"{data}"}}"#);
            let reordered = format!(r#"{{"channel":"bench","data":"{data}","event":"tick","serial":4}}"#);
            assert_eq!(Stamp::find_in(&ours), Some(stamp), "{ours}");
            assert_eq!(Stamp::find_in(&reordered), Some(stamp), "{reordered}");
        }
        assert_eq!(stamp(Phase::Round, 7).encode(), "budtags-bench:r:7:1764153600123456");
    }

    #[test]
    fn other_frames_have_no_stamp() {
        for frame in [
            r#"{"event":"pusher:ping","data":{}}"#,
            r#"{"event":"pusher_internal:subscription_succeeded","channel":"bench","data":"{}"}"#,
            r#"{"data":"budtags-bench:x:1:2"}"#,
            r#"{"data":"budtags-bench:r:1"}"#,
            r#"{"data":"budtags-bench:r:1:2:3"}"#,
            r#"{"data":"budtags-bench:s:1:2"}"#,
            "budtags-bench:r:-1:2",
        ] {
            assert_eq!(Stamp::find_in(frame), None, "{frame}");
        }
    }

    #[test]
    fn deliveries_are_counted_per_round_and_latency_is_receive_minus_send() {
        let recorder = Recorder::new(2, 1);
        let round0 = Stamp { phase: Phase::Round, seq: 0, sent_us: 1_000 };
        recorder.record(&round0, 3_000);
        recorder.record(&round0, 5_000);
        recorder.record(&Stamp { phase: Phase::Round, seq: 1, sent_us: 10_000 }, 11_000);
        assert_eq!((recorder.round_deliveries(0), recorder.round_deliveries(1)), (2, 1));
        let latency = recorder.round_latency();
        assert_eq!(latency.total(), 3);
        assert_eq!(latency.max_us, 4_000);
        assert_eq!(recorder.rounds_missed(2), 1, "round 1 reached one of two clients");
    }

    #[test]
    fn warmup_steps_and_strays_are_kept_apart() {
        let recorder = Recorder::new(1, 1);
        recorder.record(&stamp(Phase::Warmup, 0), 1_764_153_600_200_000);
        recorder.record(&Stamp { phase: Phase::Step(0), seq: 9, sent_us: 100 }, 350);
        recorder.record(&stamp(Phase::Step(1), 0), 0);
        recorder.record(&stamp(Phase::Round, 1), 0);
        assert_eq!(recorder.warmup_deliveries(), 1);
        assert_eq!(recorder.round_latency().total(), 0, "the warm-up is not measured");
        assert_eq!(recorder.step_deliveries(0), 1);
        assert_eq!(recorder.step_latency(0).max_us, 250);
        assert_eq!(recorder.strays(), 2);
    }

    #[test]
    fn a_clock_step_backwards_is_zero_latency_not_a_wrap() {
        let recorder = Recorder::new(1, 0);
        recorder.record(&Stamp { phase: Phase::Round, seq: 0, sent_us: 5_000 }, 4_000);
        assert_eq!(recorder.round_latency().max_us, 0);
    }

    #[test]
    fn duplicates_do_not_hide_losses() {
        assert_eq!(missed(3, [3, 3, 3]), 0);
        assert_eq!(missed(3, [4, 2]), 1);
        assert_eq!(missed(10, []), 0);
    }
}
