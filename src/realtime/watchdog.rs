//! When a silent connection counts as dead. Pure: times come in.
//!
//! SSE and `/ws` hear a heartbeat from the server every interval (15 s by
//! default; the server says how often in `/api/realtime/config`). A
//! connection frozen on the way — a half-open TCP connection through a NAT
//! or proxy — raises no error in the browser; only its silence shows it.

use std::time::Duration;

/// Silence longer than this many heartbeats means the connection is dead.
pub const MISSED_HEARTBEATS: f64 = 2.5;

/// How long a connection may stay silent.
pub fn silence_limit(heartbeat: Duration) -> Duration {
    heartbeat.mul_f64(MISSED_HEARTBEATS)
}

/// How often to look: a tenth of a heartbeat, so silence is noticed at most
/// that late (and looks are at least 100 ms apart).
pub fn check_every(heartbeat: Duration) -> Duration {
    (heartbeat / 10).max(Duration::from_millis(100))
}

/// Whether a connection last heard from at `last_heard` is dead at `now`
/// (both in ms).
pub fn is_silent(last_heard: f64, now: f64, heartbeat: Duration) -> bool {
    now - last_heard > silence_limit(heartbeat).as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEAT: Duration = Duration::from_secs(15);

    #[test]
    fn two_and_a_half_heartbeats_of_silence_is_dead() {
        assert!(!is_silent(0.0, 15_000.0, BEAT), "one missed heartbeat is a late one");
        assert!(!is_silent(0.0, 37_500.0, BEAT));
        assert!(is_silent(0.0, 37_501.0, BEAT));
    }

    #[test]
    fn a_frozen_connection_is_noticed_within_40_seconds_by_default() {
        let worst = silence_limit(BEAT) + check_every(BEAT);
        assert!(worst < Duration::from_secs(40), "{worst:?}");
        assert_eq!(check_every(Duration::from_millis(200)), Duration::from_millis(100));
    }
}
