//! The event bus. Every state change goes through [`EventBus::change`]: the
//! change and its event are written in one transaction, the event is appended
//! to the bounded log that SSE, `/ws` and `/api/events/replay` replay from,
//! and then published, in log order, through every [`Broadcaster`]: always
//! the in-process one (SSE, `/ws`, the built-in Pusher endpoint), and an
//! external Pusher server's when configured.
//!
//! Each logged event also records the organization it belongs to (the owner
//! of its channel, looked up once, inside the transaction), so the
//! organization-wide streams (SSE, `/ws`) filter live and replayed events
//! without a query per subscriber per event.

use budtags_wire::{EventEnvelope, RealtimeEvent};
use rusqlite::{Connection, Transaction, params};
use std::sync::Arc;
use time::{OffsetDateTime, macros::format_description};

use tokio::sync::{broadcast, watch};

use crate::{
    db::Store,
    error::Result,
    realtime::{
        broadcaster::{Broadcaster, InProcess},
        channels::Channel,
    },
};

/// A committed event and the organization it belongs to (`None` when its
/// channel's owner no longer exists: nobody may hear it).
#[derive(Clone, Debug)]
pub struct Owned {
    pub organization_id: Option<i64>,
    pub envelope: EventEnvelope,
}

/// How many events a slow organization-stream subscriber may fall behind.
const OWNED_CAPACITY: usize = 4_096;

/// How many events the log keeps for replay.
pub const LOG_CAPACITY: u64 = 10_000;

pub struct EventBus {
    store: Store,
    live: InProcess,
    /// The same events with their owning organization, for SSE and `/ws`.
    owned: broadcast::Sender<Arc<Owned>>,
    /// Broadcasters besides the in-process one (an external Pusher server).
    others: Arc<[Arc<dyn Broadcaster>]>,
    /// Bumped to end every open stream: at shutdown (open streams would
    /// otherwise hold graceful shutdown forever), or to drop all clients.
    /// A `watch` rather than a `Notify`: a stream is registered the moment it
    /// calls [`EventBus::disconnected`], not when it first polls the future.
    disconnect: watch::Sender<u64>,
}

impl EventBus {
    /// A bus that broadcasts in process only.
    pub fn new(store: Store) -> Self {
        Self::with_broadcasters(store, Vec::new())
    }

    /// A bus that also publishes through `others`, after the in-process broadcast.
    pub fn with_broadcasters(store: Store, others: Vec<Arc<dyn Broadcaster>>) -> Self {
        Self {
            store,
            live: InProcess::default(),
            owned: broadcast::channel(OWNED_CAPACITY).0,
            others: others.into(),
            disconnect: watch::channel(0).0,
        }
    }

    /// Ends every live stream open now; clients reconnect and resume.
    pub fn disconnect_all(&self) {
        self.disconnect.send_modify(|generation| *generation += 1);
    }

    /// Completes when [`EventBus::disconnect_all`] is called after this.
    pub fn disconnected(&self) -> impl Future<Output = ()> + Send + use<> {
        let mut disconnect = self.disconnect.subscribe();
        async move {
            // An error means the bus is gone, which ends the stream all the same.
            let _ = disconnect.changed().await;
        }
    }

    /// Runs `change` in a transaction with the current time (RFC 3339). If it
    /// returns an event, the event is logged in the same transaction and
    /// broadcast after commit.
    pub async fn change<T: Send + 'static>(
        &self,
        change: impl FnOnce(&Transaction, &str) -> Result<(T, Vec<RealtimeEvent>)> + Send + 'static,
    ) -> Result<T> {
        let live = self.live.clone();
        let owned = self.owned.clone();
        let others = self.others.clone();
        self.store
            .call(move |conn| {
                let now = metrc_now();
                let tx = conn.transaction()?;
                let (value, events) = change(&tx, &now)?;
                let envelopes =
                    events.into_iter().map(|event| append(&tx, event, &now)).collect::<Result<Vec<_>>>()?;
                tx.commit()?;
                // Sent while the connection is still locked, so events leave in log order.
                for (organization_id, envelope) in envelopes {
                    live.publish(&envelope);
                    for broadcaster in others.iter() {
                        broadcaster.publish(&envelope);
                    }
                    // No subscribers is not an error: nobody is listening right now.
                    let _ = owned.send(Arc::new(Owned { organization_id, envelope }));
                }
                Ok(value)
            })
            .await
    }

    /// Live events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EventEnvelope> {
        self.live.subscribe()
    }

    /// Live events with their owning organization, from now on (SSE, `/ws`).
    pub fn subscribe_owned(&self) -> broadcast::Receiver<Arc<Owned>> {
        self.owned.subscribe()
    }

    /// Logged events after `last_id`, oldest first, or `None` when the log no
    /// longer reaches back that far (the client must refetch instead).
    pub async fn since(&self, last_id: u64) -> Result<Option<Vec<EventEnvelope>>> {
        self.store.call(move |conn| Ok(since(conn, last_id, None)?)).await
    }

    /// Like [`EventBus::since`], but only `organization_id`'s events.
    pub async fn since_for(&self, last_id: u64, organization_id: i64) -> Result<Option<Vec<EventEnvelope>>> {
        self.store.call(move |conn| Ok(since(conn, last_id, Some(organization_id))?)).await
    }

    /// Logged events on `channel` (bare name, e.g. `org.1`) after `after`,
    /// oldest first, and whether the log still reaches back that far.
    pub async fn since_on_channel(&self, after: u64, channel: String) -> Result<(Vec<EventEnvelope>, bool)> {
        self.store.call(move |conn| Ok(since_on_channel(conn, after, &channel)?)).await
    }

    /// The id of the newest logged event (0 when none).
    pub async fn head(&self) -> Result<u64> {
        self.store
            .call(|conn| Ok(conn.query_row("SELECT COALESCE(MAX(id), 0) FROM events", [], |r| r.get(0))?))
            .await
    }
}

/// The current UTC time the way Metrc writes `LastModified`: `2026-11-26T07:30:33+00:00`.
fn metrc_now() -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    OffsetDateTime::now_utc().format(&format).expect("the format has only numeric UTC fields")
}

fn append(tx: &Transaction, event: RealtimeEvent, now: &str) -> Result<(Option<i64>, EventEnvelope)> {
    let payload = serde_json::to_string(&event).expect("events serialise");
    let channel = event.channel();
    let organization_id = match Channel::parse(&channel) {
        Some(parsed) => parsed.owner(tx)?,
        None => None,
    };
    tx.execute(
        "INSERT INTO events (channel, payload, created_at, organization_id) VALUES (?1, ?2, ?3, ?4)",
        params![channel, payload, now, organization_id],
    )?;
    let id = tx.last_insert_rowid() as u64;
    if id > LOG_CAPACITY {
        tx.execute("DELETE FROM events WHERE id <= ?1", [id - LOG_CAPACITY])?;
    }
    Ok((organization_id, EventEnvelope { id, event }))
}

/// Every logged event after `last_id`, or only `organization`'s.
fn since(
    conn: &Connection,
    last_id: u64,
    organization: Option<i64>,
) -> rusqlite::Result<Option<Vec<EventEnvelope>>> {
    let oldest: Option<u64> = conn.query_row("SELECT MIN(id) FROM events", [], |r| r.get(0))?;
    if let Some(oldest) = oldest
        && last_id + 1 < oldest
    {
        return Ok(None);
    }
    let read = |r: &rusqlite::Row| Ok((r.get::<_, u64>(0)?, r.get::<_, String>(1)?));
    match organization {
        None => {
            let mut stmt = conn.prepare_cached("SELECT id, payload FROM events WHERE id > ?1 ORDER BY id")?;
            let rows = stmt.query_map([last_id], read)?;
            decode(rows).map(Some)
        }
        Some(organization) => {
            let mut stmt = conn.prepare_cached(
                "SELECT id, payload FROM events WHERE organization_id = ?2 AND id > ?1 ORDER BY id",
            )?;
            let rows = stmt.query_map(params![last_id, organization], read)?;
            decode(rows).map(Some)
        }
    }
}

fn since_on_channel(
    conn: &Connection,
    after: u64,
    channel: &str,
) -> rusqlite::Result<(Vec<EventEnvelope>, bool)> {
    let oldest: Option<u64> = conn.query_row("SELECT MIN(id) FROM events", [], |r| r.get(0))?;
    // Complete when nothing after `after` has been trimmed from the log.
    let complete = oldest.is_none_or(|oldest| after.saturating_add(1) >= oldest);
    let mut stmt =
        conn.prepare_cached("SELECT id, payload FROM events WHERE channel = ?1 AND id > ?2 ORDER BY id")?;
    let rows =
        stmt.query_map(params![channel, after], |r| Ok((r.get::<_, u64>(0)?, r.get::<_, String>(1)?)))?;
    Ok((decode(rows)?, complete))
}

fn decode(
    rows: impl Iterator<Item = rusqlite::Result<(u64, String)>>,
) -> rusqlite::Result<Vec<EventEnvelope>> {
    let mut out = Vec::new();
    for row in rows {
        let (id, payload) = row?;
        match serde_json::from_str(&payload) {
            Ok(event) => out.push(EventEnvelope { id, event }),
            Err(e) => tracing::warn!(id, error = %e, "skipping unreadable logged event"),
        }
    }
    Ok(out)
}
