//! `GET /api/realtime/config`: which transport the app should use and where
//! the Pusher server is (see [`super::settings::RealtimeSettings::client_config`]).
//! Public: the app asks before anyone signs in, and it holds no secret.

use axum::{Json, Router, extract::State, routing::get};
use budtags_wire::RealtimeConfig;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/realtime/config", get(config))
}

async fn config(State(state): State<AppState>) -> Json<RealtimeConfig> {
    Json(state.realtime.settings.client_config())
}
