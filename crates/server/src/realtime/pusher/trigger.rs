//! `POST /apps/{app_id}/events`: the Pusher HTTP trigger API, so another
//! backend (or another BudTags server with `--broadcast external`) can publish
//! to this server's Pusher sockets. Requests are verified with the app
//! secret (`budtags_pusher::http_api::verify_request`): a bad or stale
//! signature is 401, a wrong app id 404, a bad body 400, a request already
//! received 409 ([`super::seen_signatures`]); success is `{}`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{OriginalUri, Path, Query, State, rejection::QueryRejection},
    routing::post,
};
use budtags_pusher::{TriggerBody, http_api};
use serde_json::{Value, json};

use super::{hub::Triggered, seen_signatures::Refused};
use crate::{
    AppState,
    error::{Error, Result},
};

pub fn router() -> Router<AppState> {
    Router::new().route("/apps/{app_id}/events", post(trigger))
}

async fn trigger(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    OriginalUri(uri): OriginalUri,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    body: Bytes,
) -> Result<Json<Value>> {
    let app = &state.realtime.settings.app;
    if app_id != app.id {
        return Err(Error::NotFound(format!("No app {app_id}.")));
    }
    let Query(params) = query.map_err(|e| Error::BadRequest(e.body_text()))?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    http_api::verify_request(&app.key, &app.secret, "POST", uri.path(), &params, &body, now).map_err(
        |e| {
            tracing::info!(error = %e, "refused a trigger request");
            Error::Unauthorized(format!("Bad request signature: {e}."))
        },
    )?;
    // Verified, so both parameters are there and the timestamp is a number.
    let param =
        |name: &str| params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let signature = param("auth_signature").unwrap_or_default();
    let timestamp = param("auth_timestamp").and_then(|t| t.parse().ok()).unwrap_or(now);
    state.realtime.seen_signature(signature, timestamp, now).map_err(|refused| {
        tracing::warn!(%refused, "refused a trigger request");
        match refused {
            Refused::Replayed => Error::Conflict(format!("Replayed request: {refused}.")),
            Refused::Full { retry_after_secs } => Error::RateLimited {
                message: format!("Trigger requests refused for now: {refused}."),
                retry_after: Duration::from_secs(retry_after_secs),
            },
        }
    })?;
    let event: TriggerBody =
        serde_json::from_slice(&body).map_err(|e| Error::BadRequest(format!("Bad trigger body: {e}.")))?;
    event.validate().map_err(|e| Error::BadRequest(format!("Bad trigger body: {e}.")))?;
    let channels = event.target_channels().into_iter().map(str::to_owned).collect();
    state.realtime.hub.publish(Triggered {
        name: event.name,
        channels,
        data: event.data,
        except_socket: event.socket_id,
    });
    Ok(Json(json!({})))
}
