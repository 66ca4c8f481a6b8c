//! What the server keeps of a session, and when a session is over.
//!
//! The cookie carries a random token; the database keeps only its SHA-256
//! ([`SessionId`]), so a copy of the database (a backup, a leaked file) holds
//! no cookie anyone could replay. A session ends at the first of: sign-out,
//! a new sign-in from the same browser (rotation), its absolute expiry
//! ([`SessionPolicy::ttl`] after sign-in) or [`SessionPolicy::idle`] without
//! a request. These rules are plain functions of Unix seconds passed in.

use std::{fmt, time::Duration};

use sha2::{Digest, Sha256};

/// A session as the server names it: the SHA-256 of its cookie token.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId([u8; 32]);

impl SessionId {
    /// The id of the session whose cookie holds `token`.
    pub fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    /// How it is stored (`sessions.token_hash`).
    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }
}

/// Only a prefix: enough to tell sessions apart in a log line.
impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({}…)", hex::encode(&self.0[..4]))
    }
}

/// How long sessions last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// From sign-in to the absolute end, however active the session is.
    pub ttl: Duration,
    /// The longest a session may go without a request.
    pub idle: Duration,
    /// `last_seen_at` is written at most this often, so a busy page does not
    /// turn every read into a database write.
    pub touch_every: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(7 * 24 * 60 * 60),
            idle: Duration::from_secs(12 * 60 * 60),
            touch_every: Duration::from_secs(60),
        }
    }
}

/// The two times a session's end depends on, in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionTimes {
    pub expires_at: i64,
    pub last_seen_at: i64,
}

impl SessionPolicy {
    fn idle_secs(&self) -> i64 {
        self.idle.as_secs() as i64
    }

    /// The expiry of a session signed in at `now`.
    pub fn expires_at(&self, now: i64) -> i64 {
        now + self.ttl.as_secs() as i64
    }

    /// When this session ends unless it is used again: its absolute expiry
    /// or `idle` after it was last seen, whichever comes first.
    pub fn ends_at(&self, times: SessionTimes) -> i64 {
        times.expires_at.min(times.last_seen_at + self.idle_secs())
    }

    /// Whether the session is still good at `now`.
    pub fn is_live(&self, times: SessionTimes, now: i64) -> bool {
        now < self.ends_at(times)
    }

    /// Requests seen after this are old enough to be written again as `last_seen_at`.
    pub fn touch_before(&self, now: i64) -> i64 {
        now - self.touch_every.as_secs() as i64
    }

    /// A session last seen at or before this is idle at `now`.
    pub fn idle_since(&self, now: i64) -> i64 {
        now - self.idle_secs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3600;

    #[test]
    fn the_stored_id_is_the_sha256_of_the_token_not_the_token() {
        let token = "a".repeat(64);
        let id = SessionId::of(&token).to_hex();
        assert_eq!(id.len(), 64);
        assert_ne!(id, token);
        assert_eq!(SessionId::of(&token), SessionId::of(&token));
        assert_ne!(SessionId::of(&token), SessionId::of(&"b".repeat(64)));
        // SHA-256("abc"), the standard test vector.
        assert_eq!(
            SessionId::of("abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(format!("{:?}", SessionId::of("abc")), "SessionId(ba7816bf…)");
    }

    #[test]
    fn a_session_ends_at_its_expiry_or_after_twelve_idle_hours_whichever_is_first() {
        let policy = SessionPolicy::default();
        let signed_in = 1_000_000;
        let fresh = SessionTimes { expires_at: policy.expires_at(signed_in), last_seen_at: signed_in };
        assert_eq!(policy.ends_at(fresh), signed_in + 12 * HOUR);
        assert!(policy.is_live(fresh, signed_in + 12 * HOUR - 1));
        assert!(!policy.is_live(fresh, signed_in + 12 * HOUR));

        // Used every hour, it still ends seven days after sign-in.
        let busy = SessionTimes { last_seen_at: signed_in + 7 * 24 * HOUR - HOUR, ..fresh };
        assert_eq!(policy.ends_at(busy), signed_in + 7 * 24 * HOUR);
        assert!(!policy.is_live(busy, signed_in + 7 * 24 * HOUR));
    }

    #[test]
    fn last_seen_is_written_at_most_once_a_minute() {
        let policy = SessionPolicy::default();
        assert_eq!(policy.touch_before(1_000), 940);
        assert_eq!(policy.idle_since(100_000), 100_000 - 12 * HOUR);
    }
}
