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
//!
//! Replays read the log in pages of [`REPLAY_PAGE`] off the store's read-only
//! connections, and only [`REPLAYS_AT_ONCE`] run at a time: one full-log read
//! on the writer held it for ~85 ms, and 400 of them made other requests wait
//! up to 17 s (docs/decisions.md).

use budtags_wire::{EventEnvelope, RealtimeEvent};
use rusqlite::{Connection, Transaction, params};
use std::{sync::Arc, time::Duration};
use time::{OffsetDateTime, macros::format_description};

use tokio::sync::{Semaphore, broadcast, watch};

use crate::{
    db::Store,
    error::{Error, Result},
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

/// How many events one replay page reads: 500 rows are a few milliseconds of
/// a read-only connection, a whole log (10,000) about 85 ms, long enough for a
/// few hundred replays to queue every other request behind them.
pub const REPLAY_PAGE: usize = 500;

/// How many replays (SSE `Last-Event-ID`, `/ws?lastEventId=`, pages of
/// `/api/events/replay`) run at once. Each is CPU work (decoding, then
/// encoding thousands of events) on a machine with few cores.
pub const REPLAYS_AT_ONCE: usize = 4;

/// How long a replay waits for its turn before it is refused (429).
pub const REPLAY_WAIT: Duration = Duration::from_secs(2);

/// The `Retry-After` of a refused replay.
const REPLAY_RETRY_AFTER: Duration = Duration::from_secs(1);

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
    /// Turns to replay: [`REPLAYS_AT_ONCE`] permits.
    replays: Semaphore,
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
            replays: Semaphore::new(REPLAYS_AT_ONCE),
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
        self.replay(last_id, None).await
    }

    /// Like [`EventBus::since`], but only `organization_id`'s events.
    pub async fn since_for(&self, last_id: u64, organization_id: i64) -> Result<Option<Vec<EventEnvelope>>> {
        self.replay(last_id, Some(organization_id)).await
    }

    /// One page of the logged events on `channel` (bare name, e.g. `org.1`)
    /// after `after`, oldest first: at most `limit` (and [`REPLAY_PAGE`]).
    pub async fn since_on_channel(&self, after: u64, channel: String, limit: usize) -> Result<ChannelPage> {
        let _permit = self.replay_permit().await?;
        let limit = limit.clamp(1, REPLAY_PAGE);
        self.store.read(move |conn| Ok(channel_page(conn, after, &channel, limit)?)).await
    }

    /// Every event after `last_id` (or `organization`'s), read a page at a
    /// time off the read-only connections, so neither the writer nor a reader
    /// is held for the whole log.
    async fn replay(&self, last_id: u64, organization: Option<i64>) -> Result<Option<Vec<EventEnvelope>>> {
        let _permit = self.replay_permit().await?;
        let mut out = Vec::new();
        let mut after = last_id;
        loop {
            let page = self.store.read(move |conn| Ok(page(conn, last_id, after, organization)?)).await?;
            let Some(page) = page else { return Ok(None) };
            out.extend(page.events);
            match page.last_row {
                Some(last_row) if page.rows == REPLAY_PAGE => after = last_row,
                _ => return Ok(Some(out)),
            }
        }
    }

    /// A turn to replay, waiting at most [`REPLAY_WAIT`] for one.
    async fn replay_permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>> {
        match tokio::time::timeout(REPLAY_WAIT, self.replays.acquire()).await {
            Ok(permit) => Ok(permit.expect("the semaphore is never closed")),
            Err(_) => Err(Error::RateLimited {
                message: "Too many catch-ups at once; try again in a moment.".into(),
                retry_after: REPLAY_RETRY_AFTER,
            }),
        }
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

/// One page of a replay after `last_id`: the events after `after`.
struct Page {
    events: Vec<EventEnvelope>,
    /// Rows read, counting any unreadable ones skipped.
    rows: usize,
    last_row: Option<u64>,
}

/// Whether nothing after `last_id` has been trimmed from the log.
fn reaches_back(conn: &Connection, last_id: u64) -> rusqlite::Result<bool> {
    let oldest: Option<u64> = conn.query_row("SELECT MIN(id) FROM events", [], |r| r.get(0))?;
    Ok(oldest.is_none_or(|oldest| last_id.saturating_add(1) >= oldest))
}

/// Up to [`REPLAY_PAGE`] logged events after `after` (only `organization`'s,
/// if given), or `None` when the log no longer reaches back to `last_id`:
/// checked on every page, as the log may be trimmed between two.
fn page(
    conn: &Connection,
    last_id: u64,
    after: u64,
    organization: Option<i64>,
) -> rusqlite::Result<Option<Page>> {
    if !reaches_back(conn, last_id)? {
        return Ok(None);
    }
    let read = |r: &rusqlite::Row| Ok((r.get::<_, u64>(0)?, r.get::<_, String>(1)?));
    let limit = REPLAY_PAGE as i64;
    let rows: Vec<(u64, String)> = match organization {
        None => conn
            .prepare_cached("SELECT id, payload FROM events WHERE id > ?1 ORDER BY id LIMIT ?2")?
            .query_map(params![after, limit], read)?
            .collect::<rusqlite::Result<_>>()?,
        Some(organization) => conn
            .prepare_cached(
                "SELECT id, payload FROM events WHERE organization_id = ?2 AND id > ?1 ORDER BY id LIMIT ?3",
            )?
            .query_map(params![after, organization, limit], read)?
            .collect::<rusqlite::Result<_>>()?,
    };
    let (count, last_row) = (rows.len(), rows.last().map(|(id, _)| *id));
    Ok(Some(Page { events: decode(rows.into_iter().map(Ok))?, rows: count, last_row }))
}

/// One page of a channel's replay (`GET /api/events/replay`).
#[derive(Debug)]
pub struct ChannelPage {
    pub events: Vec<EventEnvelope>,
    /// False when the log no longer reaches back to `after`.
    pub complete: bool,
    /// The next page after `next_after` has more of the channel's events.
    pub more: bool,
    /// Where the next page starts: the last row read (even an unreadable one).
    pub next_after: u64,
}

fn channel_page(conn: &Connection, after: u64, channel: &str, limit: usize) -> rusqlite::Result<ChannelPage> {
    let complete = reaches_back(conn, after)?;
    // One more than asked for says whether there are more.
    let mut rows: Vec<(u64, String)> = conn
        .prepare_cached("SELECT id, payload FROM events WHERE channel = ?1 AND id > ?2 ORDER BY id LIMIT ?3")?
        .query_map(params![channel, after, limit as i64 + 1], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_after = rows.last().map_or(after, |(id, _)| *id);
    Ok(ChannelPage { events: decode(rows.into_iter().map(Ok))?, complete, more, next_after })
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
