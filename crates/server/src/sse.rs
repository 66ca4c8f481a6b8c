//! `GET /api/events`: Server-Sent Events. Each event carries its log id; a
//! client that reconnects with `Last-Event-ID` (header, or the `lastEventId`
//! query parameter for a fresh `EventSource`) first gets everything it missed.
//! If the log no longer reaches back that far it gets a `resync` event and
//! must refetch.
//!
//! A `heartbeat` event goes out every [`crate::RealtimeSettings::heartbeat`]
//! (15 s by default): the app's watchdog reconnects after 2.5 of them pass in
//! silence, which is how it notices a connection frozen on the way.
//!
//! Only the signed-in organization's events are sent, live and replayed
//! (each logged event records its organization when it is published). The
//! stream ends when its session does ([`crate::auth::live`]).

use std::convert::Infallible;

use axum::{
    Router,
    extract::State,
    http::HeaderMap,
    response::sse::{Event, Sse},
    routing::get,
};
use budtags_wire::{EventEnvelope, SSE_HEARTBEAT};
use futures_util::{Stream, StreamExt, stream};
use serde::Deserialize;
use tokio_stream::wrappers::{BroadcastStream, IntervalStream, errors::BroadcastStreamRecvError};

use crate::{AppState, auth::CurrentUser, error::Result, event_id::EventId, extract::Query};

pub fn router() -> Router<AppState> {
    Router::new().route("/events", get(events))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventsQuery {
    last_event_id: Option<EventId>,
}

async fn events(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<EventsQuery>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let header_id = match headers.get("last-event-id") {
        Some(value) => Some(EventId::parse_header(value.to_str().unwrap_or(""))?.0),
        None => None,
    };
    // Subscribe before reading the log so nothing falls between the two.
    let organization_id = user.account.organization_id;
    let live = BroadcastStream::new(state.events.subscribe_owned());
    let disconnected = state.events.disconnected();
    let session_ended = state.auth.live.watch(user.session).ended();
    // `ready` carries the id the stream starts after, so a client that drops
    // before any event arrives still resumes from the right place.
    let (start, mut last_sent, replay) = match header_id.or(query.last_event_id.map(|id| id.0)) {
        Some(last_id) => match state.events.since_for(last_id, organization_id).await? {
            Some(missed) => {
                let last = missed.last().map_or(last_id, |e| e.id);
                (last_id, last, missed.into_iter().map(to_sse).collect())
            }
            None => {
                let head = state.events.head().await?;
                (head, head, vec![resync()])
            }
        },
        None => {
            let head = state.events.head().await?;
            (head, head, Vec::new())
        }
    };
    let hello = Event::default().event("ready").id(start.to_string()).data("{}");
    let live = live.filter_map(move |item| {
        let out = match item {
            Ok(owned) if owned.envelope.id <= last_sent => None,
            Ok(owned) if owned.organization_id != Some(organization_id) => None,
            Ok(owned) => {
                last_sent = owned.envelope.id;
                Some(to_sse(owned.envelope.clone()))
            }
            Err(BroadcastStreamRecvError::Lagged(n)) => {
                tracing::warn!(missed = n, "SSE subscriber lagged; asking it to resync");
                Some(resync())
            }
        };
        std::future::ready(out.map(Ok))
    });
    let every = state.realtime.settings.heartbeat;
    let beats = IntervalStream::new(tokio::time::interval_at(tokio::time::Instant::now() + every, every))
        .map(|_| Ok(Event::default().event(SSE_HEARTBEAT).data("{}")));
    let stream = stream::iter(std::iter::once(hello).chain(replay).map(Ok))
        .chain(stream::select(live, beats))
        .take_until(disconnected)
        .take_until(session_ended);
    Ok(Sse::new(stream))
}

fn to_sse(envelope: EventEnvelope) -> Event {
    Event::default()
        .id(envelope.id.to_string())
        .event(envelope.event.sse_name())
        .json_data(&envelope.event)
        .expect("events serialise")
}

fn resync() -> Event {
    Event::default().event("resync").data("{}")
}
