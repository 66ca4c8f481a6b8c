//! What to do when the socket closes: one decision from the close code.
//!
//! Pusher reserves 4000–4999 and splits it by hundreds (see
//! `shared/docs/pusher-protocol.md`); codes below 4000 come from the WebSocket
//! layer itself. [`on_close`] maps every `u16` with no catch-all arm, so a
//! range nobody decided on cannot slip through.

/// The reconnect policy for one close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reconnect {
    /// Retry at once, over `wss://` (4000).
    UseTls,
    /// Do not retry with the same parameters; surface the error (4001–4099, 4300+).
    Stop,
    /// Retry after backing off, at least 1 s (4100–4199, WebSocket-level failures).
    Backoff,
    /// Retry now (4200–4299: pong not received, closed for inactivity).
    Immediately,
}

/// The reconnect policy for a close with `code`.
///
/// Codes below 4000 never mean "stop": Pusher servers say so with a 4xxx code.
/// Normal and abnormal closures (1000 normal, 1001 going away, 1005 no status,
/// 1006 dropped connection) all back off, like pusher-js's 1 s retry: they are
/// what every client sees at once when a server restarts or the network blips,
/// and a jittered backoff spreads the reconnect storm that "immediately" would
/// cause. The same goes for 1002–1004 (protocol errors) and anything unassigned.
pub fn on_close(code: u16) -> Reconnect {
    match code {
        4000 => Reconnect::UseTls,
        4001..=4099 => Reconnect::Stop,
        4100..=4199 => Reconnect::Backoff,
        4200..=4299 => Reconnect::Immediately,
        // pusher-js treats everything from 4300 up as "refused".
        4300..=u16::MAX => Reconnect::Stop,
        1000 | 1001 | 1005 | 1006 => Reconnect::Backoff,
        1002..=1004 => Reconnect::Backoff,
        0..=999 | 1007..=3999 => Reconnect::Backoff,
    }
}

/// A human description of the close codes Pusher documents, for surfacing
/// a [`Reconnect::Stop`] to the person; `None` for codes it does not name.
pub fn describe(code: u16) -> Option<&'static str> {
    Some(match code {
        4000 => "the application only accepts TLS connections",
        4001 => "the application does not exist",
        4003 => "the application is disabled",
        4004 => "the application is over its connection quota",
        4005 => "the path was not found",
        4006 => "invalid version string format",
        4007 => "unsupported protocol version",
        4008 => "no protocol version supplied",
        4009 => "the connection is unauthorized",
        4100 => "the server is over capacity",
        4200 => "generic reconnect immediately",
        4201 => "pong reply not received",
        4202 => "closed after inactivity",
        4301 => "client event rejected due to rate limit",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_range_boundary_maps_as_documented() {
        use Reconnect::*;
        let table = [
            (0, Backoff),
            (999, Backoff),
            (1000, Backoff),
            (1001, Backoff),
            (1002, Backoff),
            (1003, Backoff),
            (1004, Backoff),
            (1005, Backoff),
            (1006, Backoff),
            (1007, Backoff),
            (1011, Backoff),
            (1015, Backoff),
            (3000, Backoff),
            (3999, Backoff),
            (4000, UseTls),
            (4001, Stop),
            (4009, Stop),
            (4099, Stop),
            (4100, Backoff),
            (4199, Backoff),
            (4200, Immediately),
            (4201, Immediately),
            (4202, Immediately),
            (4299, Immediately),
            (4300, Stop),
            (4301, Stop),
            (4999, Stop),
            (5000, Stop),
            (u16::MAX, Stop),
        ];
        for (code, expected) in table {
            assert_eq!(on_close(code), expected, "close code {code}");
        }
    }

    #[test]
    fn documented_codes_have_descriptions() {
        assert_eq!(describe(4001), Some("the application does not exist"));
        assert_eq!(describe(4201), Some("pong reply not received"));
        assert_eq!(describe(4002), None);
        assert_eq!(describe(1000), None);
    }
}
