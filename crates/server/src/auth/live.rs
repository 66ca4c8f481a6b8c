//! Live streams end with their session.
//!
//! SSE, `/ws` and Pusher subscriptions are authorised once, when they open;
//! without this they kept delivering after sign-out (issue 11, finding 5).
//! [`LiveSessions`] holds one signal per session that has open streams;
//! sign-out and rotation fire it ([`LiveSessions::end`]). Each stream waits on
//! a [`SessionEnd`], which also wakes at the session's absolute or idle end
//! and then asks the database whether the session is still good (a request
//! in between moves the idle end later; the stream itself does not).
//!
//! Pusher sockets are not signed in themselves: `POST /broadcasting/auth`
//! records which session authorised which socket's private channel
//! ([`LiveSessions::grant`]), and the socket claims that grant when it
//! subscribes ([`LiveSessions::claim`]). A valid signature without a live
//! grant is refused, unless the server is told to accept signatures made by
//! another backend ([`super::AuthSettings::foreign_channel_auth`]); those
//! subscriptions are tied to no session here.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use tokio::sync::watch;

use super::session::{SessionId, SessionPolicy, SessionTimes};
use crate::{
    db::{self, Store},
    error::{Error, Result},
};

/// How long a channel grant waits for its socket to subscribe: pusher-js
/// subscribes as soon as `/broadcasting/auth` answers, and asks again for
/// every new subscription.
pub const GRANT_TTL: Duration = Duration::from_secs(5 * 60);
/// The most grants waiting at once; beyond it `/broadcasting/auth` answers 429.
const MAX_PENDING_GRANTS: usize = 100_000;
const MIN_PRUNE_AT: usize = 1_024;

/// One signed-in session as a stream sees it when it opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub times: SessionTimes,
}

pub struct LiveSessions {
    store: Store,
    policy: SessionPolicy,
    foreign_channel_auth: bool,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Dropping a sender is the signal: its receivers' `changed()` fails.
    signals: HashMap<SessionId, watch::Sender<()>>,
    signals_prune_at: usize,
    /// `(socket_id, channel)` → the session that authorised it, and when.
    grants: HashMap<(String, String), (Session, Instant)>,
    grants_prune_at: usize,
}

impl LiveSessions {
    pub fn new(store: Store, policy: SessionPolicy, foreign_channel_auth: bool) -> Self {
        Self { store, policy, foreign_channel_auth, inner: Mutex::default() }
    }

    /// Whether a signed subscription this server granted no session for is
    /// still accepted (another backend signs for this Pusher endpoint).
    pub fn accepts_foreign_channel_auth(&self) -> bool {
        self.foreign_channel_auth
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Plain maps: a panic elsewhere cannot leave them inconsistent.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What a stream opened by `session` waits on.
    pub fn watch(self: &Arc<Self>, session: Session) -> SessionEnd {
        let mut inner = self.lock();
        if inner.signals.len() >= inner.signals_prune_at.max(MIN_PRUNE_AT) {
            // Sessions whose streams have all closed.
            inner.signals.retain(|_, signal| signal.receiver_count() > 0);
            inner.signals_prune_at = inner.signals.len() * 2;
        }
        let signal = inner.signals.entry(session.id).or_insert_with(|| watch::channel(()).0);
        SessionEnd { session, ended: signal.subscribe(), sessions: self.clone() }
    }

    /// Ends every stream `id` opened, and its unclaimed channel grants.
    pub fn end(&self, id: SessionId) {
        let mut inner = self.lock();
        inner.signals.remove(&id);
        inner.grants.retain(|_, (session, _)| session.id != id);
    }

    /// Records that `session` authorised socket `socket_id` to subscribe to `channel`.
    pub fn grant(&self, session: Session, socket_id: &str, channel: &str, now: Instant) -> Result<()> {
        let mut inner = self.lock();
        if inner.grants.len() >= inner.grants_prune_at.max(MIN_PRUNE_AT) {
            inner.grants.retain(|_, (_, at)| now.saturating_duration_since(*at) < GRANT_TTL);
            inner.grants_prune_at = inner.grants.len() * 2;
        }
        if inner.grants.len() >= MAX_PENDING_GRANTS {
            return Err(Error::RateLimited {
                message: "Too many channel authorizations at once; try again in a moment.".into(),
                retry_after: Duration::from_secs(1),
            });
        }
        inner.grants.insert((socket_id.to_owned(), channel.to_owned()), (session, now));
        Ok(())
    }

    /// The session that authorised `socket_id` for `channel` (within
    /// [`GRANT_TTL`], and not ended since), now held by the socket.
    pub fn claim(self: &Arc<Self>, socket_id: &str, channel: &str, now: Instant) -> Option<SessionEnd> {
        let key = (socket_id.to_owned(), channel.to_owned());
        let (session, at) = self.lock().grants.remove(&key)?;
        (now.saturating_duration_since(at) < GRANT_TTL).then(|| self.watch(session))
    }

    /// The session's times now, if it still exists.
    async fn reload(&self, id: SessionId) -> Result<Option<SessionTimes>> {
        self.store.call(move |conn| Ok(db::users::session_times(conn, &id.to_hex())?)).await
    }
}

/// Completes when a session ends: signed out, rotated, expired or idle.
pub struct SessionEnd {
    session: Session,
    ended: watch::Receiver<()>,
    sessions: Arc<LiveSessions>,
}

impl SessionEnd {
    pub fn session_id(&self) -> SessionId {
        self.session.id
    }

    /// Waits for the session to end. The database is asked once at the
    /// start (a sign-out may have come between the request's session check
    /// and this stream's signal) and again at each possible end.
    pub async fn ended(mut self) {
        let policy = self.sessions.policy;
        loop {
            let times = match self.sessions.reload(self.session.id).await {
                Ok(Some(times)) => times,
                Ok(None) => return,
                Err(e) => {
                    // Keep the stream; its times from the request still bound it.
                    tracing::warn!(error = %e, "cannot recheck a session; using its last known times");
                    self.session.times
                }
            };
            let now = super::unix_now();
            if !policy.is_live(times, now) {
                return;
            }
            self.session.times = times;
            let wait = Duration::from_secs((policy.ends_at(times) - now).max(1) as u64);
            tokio::select! {
                _ = self.ended.changed() => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}
