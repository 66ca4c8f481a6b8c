//! Refusing a replayed trigger request. A signed request stays valid for
//! [`MAX_TIMESTAMP_SKEW_SECS`] either side of its `auth_timestamp`, so anyone
//! who saw one (a proxy log, a shared capture) could send it again, as often
//! as they liked, for twenty minutes. The HMAC covers the method, path, body
//! and timestamp, so its `auth_signature` names the request: a signature seen
//! once is refused until its timestamp has left the window, after which the
//! timestamp check refuses it anyway and it can be forgotten.
//!
//! The Pusher protocol has no nonce: two *identical* triggers signed in the
//! same second are indistinguishable from a replay, and the second is refused.
//! The event ids BudTags puts in every body keep its own triggers distinct.
//!
//! Memory is bounded: entries are pruned as they expire, and past [`CAPACITY`]
//! live entries new requests are refused (fail closed) rather than the oldest
//! forgotten, which would let exactly those be replayed. Only requests whose
//! signature verified are recorded, so only a holder of the secret can fill it.

use std::collections::{BTreeSet, HashSet};

use budtags_pusher::http_api::MAX_TIMESTAMP_SKEW_SECS;

/// How many signatures are remembered at most: at 50 triggers a second, the
/// twenty-minute window holds 60,000. Each entry is a few dozen bytes.
pub const CAPACITY: usize = 100_000;

/// Why a verified request is still refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("this signed request was already received; sign each request afresh")]
    Replayed,
    /// More live signatures than [`CAPACITY`]; retry once the oldest expire.
    #[error("too many signed requests in the last {window} s; retry in {retry_after_secs} s", window = 2 * MAX_TIMESTAMP_SKEW_SECS)]
    Full { retry_after_secs: u64 },
}

/// The signatures of recently accepted requests, each until its timestamp expires.
#[derive(Debug)]
pub struct SeenSignatures {
    capacity: usize,
    /// `(expires_at, signature)`, so the oldest expire first whatever order they came in.
    by_expiry: BTreeSet<(u64, String)>,
    signatures: HashSet<String>,
}

impl Default for SeenSignatures {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl SeenSignatures {
    pub fn with_capacity(capacity: usize) -> Self {
        Self { capacity, by_expiry: BTreeSet::new(), signatures: HashSet::new() }
    }

    /// Records `signature` of a request stamped `timestamp` (already checked to
    /// be within the window of `now`, Unix seconds), or says why it is refused.
    pub fn check_and_record(&mut self, signature: &str, timestamp: u64, now: u64) -> Result<(), Refused> {
        self.prune(now);
        // Case-insensitive hex: `AB..` and `ab..` verify alike.
        let signature = signature.to_ascii_lowercase();
        if self.signatures.contains(&signature) {
            return Err(Refused::Replayed);
        }
        if self.signatures.len() >= self.capacity {
            let oldest = self.by_expiry.first().map_or(now, |(expires_at, _)| *expires_at);
            return Err(Refused::Full { retry_after_secs: oldest.saturating_sub(now).max(1) });
        }
        let expires_at = timestamp.saturating_add(MAX_TIMESTAMP_SKEW_SECS);
        self.by_expiry.insert((expires_at, signature.clone()));
        self.signatures.insert(signature);
        Ok(())
    }

    /// How many signatures are remembered now.
    pub fn len(&self) -> usize {
        self.signatures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.signatures.is_empty()
    }

    /// Forgets signatures whose timestamps the skew check refuses by `now`.
    fn prune(&mut self, now: u64) {
        while let Some((expires_at, _)) = self.by_expiry.first()
            && *expires_at < now
        {
            let (_, signature) = self.by_expiry.pop_first().expect("just looked at it");
            self.signatures.remove(&signature);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    #[test]
    fn a_signature_is_accepted_once() {
        let mut seen = SeenSignatures::default();
        assert_eq!(seen.check_and_record("ab12", NOW, NOW), Ok(()));
        assert_eq!(seen.check_and_record("ab12", NOW, NOW + 1), Err(Refused::Replayed));
        assert_eq!(seen.check_and_record("AB12", NOW, NOW + 1), Err(Refused::Replayed), "hex case");
        assert_eq!(seen.check_and_record("cd34", NOW, NOW + 1), Ok(()));
    }

    #[test]
    fn it_is_remembered_while_its_timestamp_is_valid_and_forgotten_after() {
        let mut seen = SeenSignatures::default();
        // Stamped 5 minutes ahead of this clock: valid until 15 minutes from now.
        let ahead = NOW + 300;
        seen.check_and_record("ab12", ahead, NOW).unwrap();
        let last_valid = ahead + MAX_TIMESTAMP_SKEW_SECS;
        assert_eq!(seen.check_and_record("ab12", ahead, last_valid), Err(Refused::Replayed));
        seen.check_and_record("ef56", last_valid + 1, last_valid + 1).unwrap();
        assert_eq!(seen.len(), 1, "the expired one was pruned");
    }

    #[test]
    fn out_of_order_timestamps_expire_in_their_own_order() {
        let mut seen = SeenSignatures::default();
        seen.check_and_record("late", NOW + 500, NOW).unwrap();
        seen.check_and_record("early", NOW - 500, NOW).unwrap();
        // `early` expires at NOW + 100, `late` at NOW + 1100.
        seen.check_and_record("probe", NOW + 200, NOW + 200).unwrap();
        assert_eq!(seen.check_and_record("early", NOW - 500, NOW + 200), Ok(()), "forgotten");
        assert_eq!(seen.check_and_record("late", NOW + 500, NOW + 200), Err(Refused::Replayed));
    }

    #[test]
    fn when_full_new_requests_are_refused_until_the_oldest_expire() {
        let mut seen = SeenSignatures::with_capacity(2);
        seen.check_and_record("a", NOW, NOW).unwrap();
        seen.check_and_record("b", NOW + 10, NOW).unwrap();
        assert_eq!(
            seen.check_and_record("c", NOW, NOW + 1),
            Err(Refused::Full { retry_after_secs: MAX_TIMESTAMP_SKEW_SECS - 1 })
        );
        assert_eq!(seen.check_and_record("a", NOW, NOW + 1), Err(Refused::Replayed), "still remembered");
        assert_eq!(seen.check_and_record("c", NOW + 601, NOW + 601), Ok(()), "`a` expired");
        assert_eq!(seen.len(), 2);
    }
}
