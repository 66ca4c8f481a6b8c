//! `GET /api/licenses`: the signed-in organization's licenses, nobody else's.

use axum::{Json, Router, extract::State, routing::get};
use budtags_wire::License;

use crate::{AppState, auth::CurrentUser, db, error::Result};

pub fn router() -> Router<AppState> {
    Router::new().route("/licenses", get(list))
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<License>>> {
    let organization_id = user.account.organization_id;
    Ok(Json(state.store.call(move |conn| Ok(db::licenses::of_organization(conn, organization_id)?)).await?))
}
