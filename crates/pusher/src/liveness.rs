//! Is the connection still alive? Pure decisions with the clock passed in.
//!
//! The reference is pusher-js: after `activity_timeout` with nothing received
//! the client sends `pusher:ping`; if nothing at all (a `pusher:pong` or any
//! other frame) arrives within 30 s of that ping, the connection is dead and
//! the client reconnects at once. A server can run the same checks on each
//! client socket (and close with 4201 instead of reconnecting).
//!
//! Instants are Unix or monotonic milliseconds as `u64`, whatever the caller's
//! clock gives (`Date.now()`, `performance.now()` truncated); only differences
//! matter, and a clock that steps backwards counts as no time passing.
//! Intervals are [`Duration`]s.

use std::time::Duration;

/// The client's own activity timeout; the server's may only shorten it.
pub const CLIENT_ACTIVITY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long to wait for any frame after sending `pusher:ping`.
pub const PONG_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a connection attempt may take before the state is `unavailable`
/// (attempts continue; the person is told).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// min(client's 120 s, server's `activity_timeout` seconds). A server value of
/// 0 would mean pinging in a busy loop, so it is read as "no preference".
pub fn effective_activity_timeout(server_activity_timeout_secs: u64) -> Duration {
    match server_activity_timeout_secs {
        0 => CLIENT_ACTIVITY_TIMEOUT,
        secs => CLIENT_ACTIVITY_TIMEOUT.min(Duration::from_secs(secs)),
    }
}

/// What the connection needs right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// All well; decide again after `check_again_in`.
    Fine { check_again_in: Duration },
    /// Silent for the activity timeout: send `pusher:ping` and record it.
    SendPing,
    /// The ping went unanswered: drop the socket and reconnect immediately.
    Reconnect,
}

/// The decision, from the last time anything was received, when the
/// outstanding ping (if any) was sent, and now.
///
/// A ping sent before the last activity has been answered and no longer counts.
pub fn liveness(
    activity_timeout: Duration,
    last_activity_ms: u64,
    ping_sent_ms: Option<u64>,
    now_ms: u64,
) -> Liveness {
    match ping_sent_ms {
        Some(sent) if sent >= last_activity_ms => {
            let waited = elapsed(sent, now_ms);
            if waited >= PONG_TIMEOUT {
                Liveness::Reconnect
            } else {
                Liveness::Fine { check_again_in: PONG_TIMEOUT - waited }
            }
        }
        _ => {
            let silent = elapsed(last_activity_ms, now_ms);
            if silent >= activity_timeout {
                Liveness::SendPing
            } else {
                Liveness::Fine { check_again_in: activity_timeout - silent }
            }
        }
    }
}

fn elapsed(since_ms: u64, now_ms: u64) -> Duration {
    Duration::from_millis(now_ms.saturating_sub(since_ms))
}

/// The liveness bookkeeping of one open connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activity {
    last_activity_ms: u64,
    ping_sent_ms: Option<u64>,
}

impl Activity {
    /// A connection that just opened at `now_ms`.
    pub fn new(now_ms: u64) -> Self {
        Activity { last_activity_ms: now_ms, ping_sent_ms: None }
    }

    /// A frame of any kind arrived; it also answers an outstanding ping.
    pub fn record_activity(&mut self, now_ms: u64) {
        self.last_activity_ms = self.last_activity_ms.max(now_ms);
        self.ping_sent_ms = None;
    }

    /// We sent `pusher:ping` (after [`Liveness::SendPing`]).
    pub fn record_ping_sent(&mut self, now_ms: u64) {
        self.ping_sent_ms = Some(now_ms);
    }

    /// [`liveness`] for this connection.
    pub fn check(&self, activity_timeout: Duration, now_ms: u64) -> Liveness {
        liveness(activity_timeout, self.last_activity_ms, self.ping_sent_ms, now_ms)
    }
}

/// Where a connection attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectProgress {
    /// Still within [`CONNECT_TIMEOUT`]; decide again after `check_again_in`.
    Waiting { check_again_in: Duration },
    /// Past [`CONNECT_TIMEOUT`]: show `unavailable`, keep trying.
    Unavailable,
}

/// Whether an attempt started at `started_ms` has run past [`CONNECT_TIMEOUT`].
pub fn connect_progress(started_ms: u64, now_ms: u64) -> ConnectProgress {
    let waited = elapsed(started_ms, now_ms);
    if waited >= CONNECT_TIMEOUT {
        ConnectProgress::Unavailable
    } else {
        ConnectProgress::Waiting { check_again_in: CONNECT_TIMEOUT - waited }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = 1000;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn the_server_may_only_shorten_the_activity_timeout() {
        let table = [(30, secs(30)), (119, secs(119)), (120, secs(120)), (600, secs(120)), (0, secs(120))];
        for (server, expected) in table {
            assert_eq!(effective_activity_timeout(server), expected, "server says {server}");
        }
    }

    #[test]
    fn silence_leads_to_a_ping() {
        let timeout = secs(30);
        assert_eq!(liveness(timeout, 1_000, None, 1_000), Liveness::Fine { check_again_in: secs(30) });
        assert_eq!(
            liveness(timeout, 1_000, None, 1_000 + 29 * SEC + 500),
            Liveness::Fine { check_again_in: Duration::from_millis(500) }
        );
        assert_eq!(liveness(timeout, 1_000, None, 1_000 + 30 * SEC), Liveness::SendPing);
        assert_eq!(liveness(timeout, 1_000, None, 1_000 + 500 * SEC), Liveness::SendPing);
    }

    #[test]
    fn an_unanswered_ping_leads_to_a_reconnect_after_30_s() {
        let timeout = secs(120);
        let sent = 200 * SEC;
        assert_eq!(
            liveness(timeout, 80 * SEC, Some(sent), sent),
            Liveness::Fine { check_again_in: secs(30) }
        );
        assert_eq!(
            liveness(timeout, 80 * SEC, Some(sent), sent + 29 * SEC),
            Liveness::Fine { check_again_in: secs(1) }
        );
        assert_eq!(liveness(timeout, 80 * SEC, Some(sent), sent + 30 * SEC), Liveness::Reconnect);
        // Sent in the same millisecond as the last frame: still outstanding.
        assert_eq!(liveness(timeout, sent, Some(sent), sent + 30 * SEC), Liveness::Reconnect);
    }

    #[test]
    fn any_frame_after_the_ping_answers_it() {
        let timeout = secs(120);
        let sent = 200 * SEC;
        let answered = sent + 5 * SEC;
        assert_eq!(
            liveness(timeout, answered, Some(sent), sent + 31 * SEC),
            Liveness::Fine { check_again_in: secs(120 - 26) }
        );
    }

    #[test]
    fn a_clock_stepping_backwards_counts_as_no_time() {
        assert_eq!(liveness(secs(30), 50 * SEC, None, 10 * SEC), Liveness::Fine { check_again_in: secs(30) });
        assert_eq!(
            connect_progress(50 * SEC, 10 * SEC),
            ConnectProgress::Waiting { check_again_in: secs(10) }
        );
    }

    #[test]
    fn activity_tracks_one_connection_through_a_ping_cycle() {
        let timeout = effective_activity_timeout(30);
        let mut activity = Activity::new(0);
        assert_eq!(activity.check(timeout, 10 * SEC), Liveness::Fine { check_again_in: secs(20) });
        activity.record_activity(10 * SEC);
        assert_eq!(activity.check(timeout, 40 * SEC), Liveness::SendPing);
        activity.record_ping_sent(40 * SEC);
        assert_eq!(activity.check(timeout, 50 * SEC), Liveness::Fine { check_again_in: secs(20) });
        activity.record_activity(51 * SEC); // the pong
        assert_eq!(activity.check(timeout, 71 * SEC), Liveness::Fine { check_again_in: secs(10) });
        assert_eq!(activity.check(timeout, 81 * SEC), Liveness::SendPing);
        activity.record_ping_sent(81 * SEC);
        assert_eq!(activity.check(timeout, 111 * SEC), Liveness::Reconnect);
    }

    #[test]
    fn a_slow_connect_becomes_unavailable_after_10_s() {
        assert_eq!(connect_progress(5 * SEC, 5 * SEC), ConnectProgress::Waiting { check_again_in: secs(10) });
        assert_eq!(
            connect_progress(5 * SEC, 14 * SEC + 999),
            ConnectProgress::Waiting { check_again_in: Duration::from_millis(1) }
        );
        assert_eq!(connect_progress(5 * SEC, 15 * SEC), ConnectProgress::Unavailable);
    }
}
