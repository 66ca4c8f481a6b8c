//! `GET /api/events/replay?after={id}&channel={name}`: the logged events on
//! one channel after `after`, for a Pusher client catching up after a
//! reconnect (Pusher itself keeps nothing). The channel may be named with or
//! without `private-`; the same rules as `/broadcasting/auth` decide who may
//! read it. `complete` is false when the log no longer reaches back to
//! `after`: the client must refetch instead. One answer is one page of at
//! most [`REPLAY_PAGE`] events (fewer with `limit`); `more` says to ask again
//! after `nextAfter`. Past a few replays at once the answer is 429 with
//! `Retry-After` ([`crate::events`]).

use axum::{Router, extract::State, routing::get};
use budtags_wire::Replay;
use serde::Deserialize;

use super::channels;
use crate::{
    AppState,
    auth::CurrentUser,
    error::Result,
    event_id::EventId,
    events::REPLAY_PAGE,
    extract::{Json, Query},
};

pub fn router() -> Router<AppState> {
    Router::new().route("/events/replay", get(replay))
}

#[derive(Deserialize)]
struct ReplayQuery {
    after: EventId,
    channel: String,
    limit: Option<usize>,
}

async fn replay(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ReplayQuery>,
) -> Result<Json<Replay>> {
    let channel = channels::parse_any(&query.channel)?;
    let organization_id = user.account.organization_id;
    let name = query.channel.clone();
    state.store.call(move |conn| channels::authorize(conn, organization_id, &channel, &name)).await?;
    let bare = query.channel.strip_prefix("private-").unwrap_or(&query.channel).to_owned();
    let limit = query.limit.unwrap_or(REPLAY_PAGE);
    let page = state.events.since_on_channel(query.after.0, bare, limit).await?;
    Ok(Json(Replay {
        events: page.events,
        complete: page.complete,
        more: page.more,
        next_after: page.next_after,
    }))
}
