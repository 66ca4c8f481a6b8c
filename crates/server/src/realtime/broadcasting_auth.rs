//! `POST /broadcasting/auth` (Laravel Echo's default `authEndpoint`, at the
//! root): signs a socket into a private channel, only if the signed-in user's
//! organization owns it.
//!
//! Form body `socket_id=…&channel_name=…`, the session cookie and the
//! session's `X-CSRF-TOKEN`. Answers `{"auth":"<key>:<hex>"}`; 401 without a
//! session, 403 for a wrong CSRF token or a channel that is not theirs, 400
//! for a malformed body, socket id or channel name. The built-in Pusher
//! endpoint accepts the subscription only while the session that asked for
//! it lasts ([`crate::auth::live`]).

use std::time::Instant;

use axum::{Router, extract::State, routing::post};
use budtags_pusher::{AuthResponse, auth};
use serde::Deserialize;

use super::channels;
use crate::{
    AppState,
    auth::Writer,
    error::{Error, Result},
    extract::{Form, Json},
};

pub fn router() -> Router<AppState> {
    Router::new().route(super::settings::AUTH_ENDPOINT, post(authorize))
}

#[derive(Deserialize)]
struct AuthRequest {
    socket_id: String,
    channel_name: String,
}

async fn authorize(
    State(state): State<AppState>,
    Writer(user): Writer,
    Form(request): Form<AuthRequest>,
) -> Result<Json<AuthResponse>> {
    auth::validate_socket_id(&request.socket_id).map_err(|e| Error::BadRequest(e.to_string()))?;
    let channel = channels::parse_private(&request.channel_name)?;
    let organization_id = user.account.organization_id;
    let name = request.channel_name.clone();
    state.store.call(move |conn| channels::authorize(conn, organization_id, &channel, &name)).await?;
    let app = &state.realtime.settings.app;
    let signature = auth::sign_private(&app.key, &app.secret, &request.socket_id, &request.channel_name)
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    // The socket's subscription will belong to this session, and end with it.
    state.auth.live.grant(user.session, &request.socket_id, &request.channel_name, Instant::now())?;
    Ok(Json(AuthResponse { auth: signature, channel_data: None }))
}
