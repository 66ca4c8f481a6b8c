//! `GET /api/licenses`: the licenses the app can show.

use axum::{Json, Router, extract::State, routing::get};
use budtags_wire::License;

use crate::{AppState, db, error::Result};

pub fn router() -> Router<AppState> {
    Router::new().route("/licenses", get(list))
}

async fn list(State(state): State<AppState>) -> Result<Json<Vec<License>>> {
    Ok(Json(state.store.call(|conn| Ok(db::licenses::all(conn)?)).await?))
}
