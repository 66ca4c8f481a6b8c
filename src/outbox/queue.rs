//! The outbox's rules, pure: which failures keep a write for later, the order
//! writes are replayed in, and what one person's queue holds.
//!
//! A write that cannot reach the server (offline, a network error, a `5xx`,
//! a timeout, or a `401` because the session ended) is kept, durably, and
//! replayed in order once the server answers again; each write carries its
//! idempotency key, so a replay the server already applied counts once. A
//! refusal (`409` someone else did it first, `400`/`422` invalid, `403`,
//! `404`) is final: shown plainly, never retried.

use budtags_wire::CheckIn;
use serde::{Deserialize, Serialize};

use crate::api::ApiError;

/// A label decision as the outbox carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Decision {
    Approve,
    Reject { reason: String },
}

/// One state-changing request the app makes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Write {
    CheckIn { transfer_id: i64, check_in: CheckIn },
    Decide { label_id: i64, decision: Decision },
}

impl Write {
    /// The write's identity: two writes with one key are the same write (a
    /// second scan of a tag, a second click on *Approve*).
    pub fn key(&self) -> String {
        match self {
            Write::CheckIn { check_in, .. } => check_in.idempotency_key.clone(),
            Write::Decide { label_id, .. } => label_key(*label_id),
        }
    }

    /// What a person calls it: "1A40…01 on transfer 3", "label 12".
    pub fn describe(&self) -> String {
        match self {
            Write::CheckIn { check_in, .. } => format!("scan of {}", check_in.label),
            Write::Decide { decision: Decision::Approve, label_id } => {
                format!("approval of label {label_id}")
            }
            Write::Decide { decision: Decision::Reject { .. }, label_id } => {
                format!("rejection of label {label_id}")
            }
        }
    }
}

/// The key of a decision on label `label_id` (approve or reject: one decision per label).
pub fn label_key(label_id: i64) -> String {
    format!("label-{label_id}")
}

/// A write waiting in the outbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub write: Write,
    /// Who made it: only they replay it (after signing in again, too).
    pub user_id: i64,
    /// Order of arrival (ms since the epoch, made unique by the queue).
    pub queued_at: f64,
    /// Why the last attempt did not go through.
    pub reason: String,
}

/// Whether a write that failed with `error` is kept for later: it did not
/// reach the server, the server could not take it now, or the session ended
/// (it is sent after signing in again). Anything else is a final refusal.
pub fn is_kept(error: &ApiError) -> bool {
    error.is_transient() || *error == ApiError::Unauthorized
}

/// Everyone's waiting writes on this browser, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Queue {
    entries: Vec<Pending>,
}

impl Queue {
    /// A queue of stored entries, in their order of arrival.
    pub fn from_stored(mut entries: Vec<Pending>) -> Self {
        entries.sort_by(|a, b| a.queued_at.total_cmp(&b.queued_at));
        Self { entries }
    }

    /// Adds `write` unless the same write is already waiting; returns the
    /// entry to store, or `None` for a duplicate.
    pub fn push(&mut self, write: Write, user_id: i64, now: f64, reason: String) -> Option<Pending> {
        let key = write.key();
        if self.entries.iter().any(|p| p.user_id == user_id && p.write.key() == key) {
            return None;
        }
        // Strictly increasing, so the stored order is the order of arrival.
        let queued_at = self.entries.last().map_or(now, |last| now.max(last.queued_at + 1.0));
        let pending = Pending { write, user_id, queued_at, reason };
        self.entries.push(pending.clone());
        Some(pending)
    }

    /// The next write of `user_id` to replay.
    pub fn next_for(&self, user_id: i64) -> Option<&Pending> {
        self.entries.iter().find(|p| p.user_id == user_id)
    }

    /// Takes the write with `key` of `user_id` out (it was sent or refused).
    pub fn remove(&mut self, user_id: i64, key: &str) -> Option<Pending> {
        let at = self.entries.iter().position(|p| p.user_id == user_id && p.write.key() == key)?;
        Some(self.entries.remove(at))
    }

    /// Records why the last attempt at `key` did not go through.
    pub fn kept(&mut self, user_id: i64, key: &str, reason: String) {
        if let Some(p) = self.entries.iter_mut().find(|p| p.user_id == user_id && p.write.key() == key) {
            p.reason = reason;
        }
    }

    /// `user_id`'s waiting writes, oldest first.
    pub fn of(&self, user_id: i64) -> impl Iterator<Item = &Pending> {
        self.entries.iter().filter(move |p| p.user_id == user_id)
    }

    pub fn is_empty_for(&self, user_id: i64) -> bool {
        self.next_for(user_id).is_none()
    }
}

/// "3 scans and 1 label decision waiting to send", or `None` when nothing waits.
pub fn summary<'a>(pending: impl Iterator<Item = &'a Pending>) -> Option<String> {
    let (mut scans, mut decisions) = (0, 0);
    for p in pending {
        match p.write {
            Write::CheckIn { .. } => scans += 1,
            Write::Decide { .. } => decisions += 1,
        }
    }
    let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let parts: Vec<String> = [(scans, "scan", "scans"), (decisions, "label decision", "label decisions")]
        .into_iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, one, many)| count(n, one, many))
        .collect();
    (!parts.is_empty()).then(|| format!("{} waiting to send", parts.join(" and ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(tag: &str) -> Write {
        Write::CheckIn {
            transfer_id: 3,
            check_in: CheckIn {
                label: tag.into(),
                received_quantity: None,
                idempotency_key: format!("transfer-3-{tag}"),
            },
        }
    }

    #[test]
    fn unreachable_servers_and_ended_sessions_keep_the_write_refusals_drop_it() {
        for kept in [
            ApiError::Offline,
            ApiError::Network("reset".into()),
            ApiError::Timeout,
            ApiError::Server { status: 503, message: "down".into() },
            ApiError::RateLimited { retry_after: None },
            ApiError::Unauthorized,
        ] {
            assert!(is_kept(&kept), "{kept:?}");
        }
        for refused in [
            ApiError::Conflict("Already checked in by Omar.".into()),
            ApiError::NotFound("No transfer 3.".into()),
            ApiError::Forbidden("Operators only.".into()),
            ApiError::BadRequest("Not a tag.".into()),
        ] {
            assert!(!is_kept(&refused), "{refused:?}");
        }
    }

    #[test]
    fn writes_replay_in_the_order_they_were_made_whatever_the_clock_says() {
        let mut queue = Queue::default();
        queue.push(scan("A"), 1, 5_000.0, String::new()).unwrap();
        let b = queue.push(scan("B"), 1, 4_000.0, String::new()).unwrap();
        assert!(b.queued_at > 5_000.0, "the clock went back; the order did not");
        let stored = Queue::from_stored(vec![b, queue.next_for(1).unwrap().clone()]);
        assert_eq!(stored.next_for(1).unwrap().write, scan("A"));
    }

    #[test]
    fn the_same_scan_twice_waits_once() {
        let mut queue = Queue::default();
        assert!(queue.push(scan("A"), 1, 1.0, String::new()).is_some());
        assert!(queue.push(scan("A"), 1, 2.0, String::new()).is_none());
        assert!(queue.push(scan("A"), 2, 3.0, String::new()).is_some(), "another person's is theirs");
        assert_eq!(queue.of(1).count(), 1);
    }

    #[test]
    fn each_person_replays_only_their_own_writes() {
        let mut queue = Queue::default();
        queue.push(scan("A"), 2, 1.0, String::new());
        queue.push(scan("B"), 1, 2.0, String::new());
        assert_eq!(queue.next_for(1).unwrap().write, scan("B"));
        assert!(queue.remove(1, "transfer-3-B").is_some());
        assert!(queue.is_empty_for(1));
        assert!(!queue.is_empty_for(2));
    }

    #[test]
    fn the_summary_counts_what_waits() {
        let mut queue = Queue::default();
        assert_eq!(summary(queue.of(1)), None);
        for tag in ["A", "B", "C"] {
            queue.push(scan(tag), 1, 1.0, String::new());
        }
        assert_eq!(summary(queue.of(1)).as_deref(), Some("3 scans waiting to send"));
        queue.push(Write::Decide { label_id: 9, decision: Decision::Approve }, 1, 2.0, String::new());
        assert_eq!(summary(queue.of(1)).as_deref(), Some("3 scans and 1 label decision waiting to send"));
    }
}
