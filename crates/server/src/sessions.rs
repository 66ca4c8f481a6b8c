//! Signing in and out:
//! - `POST /api/login` with `{"email","password"}`: 200 with [`Me`] and the
//!   `budtags_session` cookie; wrong credentials are 401, an empty e-mail
//!   address or password a 400 naming the field.
//! - `POST /api/logout`: ends the session (if any) and clears the cookie; 204.
//! - `GET /api/me`: [`Me`] for the session, or 401.

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use std::collections::BTreeMap;

use budtags_wire::{Credentials, Me};

use crate::{
    AppState,
    auth::{self, CurrentUser, password, token},
    db::{self, users::Account},
    error::{Error, Result},
    extract::Json,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/login", post(login)).route("/logout", post(logout)).route("/me", get(me))
}

/// The longest e-mail address or password considered; longer is simply wrong.
const MAX_CREDENTIAL_CHARS: usize = 256;

async fn login(State(state): State<AppState>, Json(credentials): Json<Credentials>) -> Result<Response> {
    missing_fields(&credentials)?;
    let wrong = || Error::Unauthorized("Wrong e-mail address or password.".into());
    if credentials.email.len() > MAX_CREDENTIAL_CHARS || credentials.password.len() > MAX_CREDENTIAL_CHARS {
        return Err(wrong());
    }
    let email = credentials.email.clone();
    let found = state.store.call(move |conn| Ok(db::users::find_for_login(conn, &email)?)).await?;
    // Argon2 takes milliseconds of CPU: off the async threads, and outside the
    // database lock.
    let checked = tokio::task::spawn_blocking(move || -> Result<Option<Account>> {
        match found {
            Some((account, hash)) => Ok(password::verify(&credentials.password, &hash)?.then_some(account)),
            None => {
                password::verify_nobody(&credentials.password);
                Ok(None)
            }
        }
    })
    .await??;
    let account = checked.ok_or_else(wrong)?;

    let session = token::random_token()?;
    let csrf = token::random_token()?;
    let now = auth::unix_now();
    let expires = now + auth::SESSION_TTL.as_secs() as i64;
    let (user_id, stored_session, stored_csrf) = (account.user_id, session.clone(), csrf.clone());
    state
        .store
        .call(move |conn| {
            db::users::delete_expired_sessions(conn, now)?;
            Ok(db::users::create_session(conn, &stored_session, user_id, &stored_csrf, now, expires)?)
        })
        .await?;
    tracing::info!(user_id, "signed in");
    Ok(([(header::SET_COOKIE, auth::session_cookie(&session)?)], Json(account.me(&csrf))).into_response())
}

/// A 400 naming each empty field, so the form can say which to fill in.
pub fn missing_fields(credentials: &Credentials) -> Result<()> {
    let mut fields = BTreeMap::new();
    if credentials.email.trim().is_empty() {
        fields.insert("email".to_owned(), "Enter your e-mail address.".to_owned());
    }
    if credentials.password.is_empty() {
        fields.insert("password".to_owned(), "Enter your password.".to_owned());
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid { message: "Enter your e-mail address and password.".into(), fields })
    }
}

/// Idempotent and without a CSRF check: the worst a forged logout can do is
/// sign someone out, and `SameSite=Lax` already keeps other sites' POSTs
/// from carrying the cookie.
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    if let Some(session) = auth::session_token(&headers) {
        state.store.call(move |conn| Ok(db::users::delete_session(conn, &session)?)).await?;
    }
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::cleared_session_cookie())]).into_response())
}

async fn me(user: CurrentUser) -> Json<Me> {
    Json(user.me())
}
