//! Signing in and out:
//! - `POST /api/login` with `{"email","password"}`: 200 with [`Me`] and a new
//!   `budtags_session` cookie (a session the browser already had ends);
//!   wrong credentials are 401, an empty e-mail address or password a 400
//!   naming the field, too many failures for the account or the client's
//!   address, or too many sign-ins at once, 429 with `Retry-After`.
//! - `POST /api/logout`: ends the session (if any) and its open streams, and
//!   clears the cookie; 204.
//! - `GET /api/me`: [`Me`] for the session, or 401.

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use std::{collections::BTreeMap, time::Instant};

use budtags_wire::{Credentials, Me};

use crate::{
    AppState,
    auth::{self, CurrentUser, client::ClientAddr, password, session::SessionId, throttle, token},
    db::{self, users::Account},
    error::{Error, Result},
    extract::Json,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/login", post(login)).route("/logout", post(logout)).route("/me", get(me))
}

/// The longest e-mail address or password considered; longer is simply wrong.
const MAX_CREDENTIAL_CHARS: usize = 256;

async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Json(credentials): Json<Credentials>,
) -> Result<Response> {
    missing_fields(&credentials)?;
    let wrong = || Error::Unauthorized("Wrong e-mail address or password.".into());
    if credentials.email.len() > MAX_CREDENTIAL_CHARS || credentials.password.len() > MAX_CREDENTIAL_CHARS {
        return Err(wrong());
    }
    let (account_key, client) = (throttle::account_key(&credentials.email), throttle::client_key(client));
    state.auth.throttle().begin(&account_key, client, Instant::now()).map_err(|retry_after| {
        Error::RateLimited {
            message: "Too many failed sign-ins; wait a while before trying again.".into(),
            retry_after,
        }
    })?;
    // The lookup and the Argon2 check (milliseconds of CPU, 4 MiB) hold one
    // of a few slots, and run off the async threads, outside the database lock.
    let slot = state.auth.password_checks.slot().await.inspect_err(|_| {
        state.auth.throttle().abandoned(&account_key, client);
    })?;
    let email = credentials.email.clone();
    let found = state.store.call(move |conn| Ok(db::users::find_for_login(conn, &email)?)).await?;
    let checked = slot
        .run(move || -> Result<Option<Account>> {
            match found {
                Some((account, hash)) => {
                    Ok(password::verify(&credentials.password, &hash)?.then_some(account))
                }
                None => {
                    password::verify_nobody(&credentials.password);
                    Ok(None)
                }
            }
        })
        .await??;
    let account = checked.ok_or_else(wrong)?;
    state.auth.throttle().succeeded(&account_key, client);

    // Always a fresh token; a session this browser already had ends here.
    let previous = auth::session_token(&headers).map(|token| SessionId::of(&token));
    let session = token::random_token()?;
    let csrf = token::random_token()?;
    let now = auth::unix_now();
    let policy = state.auth.settings.sessions;
    let (expires, idle_since) = (policy.expires_at(now), policy.idle_since(now));
    let (user_id, stored_session, stored_csrf) = (account.user_id, SessionId::of(&session), csrf.clone());
    state
        .store
        .call(move |conn| {
            let tx = conn.transaction()?;
            db::users::delete_expired_sessions(&tx, now, idle_since)?;
            if let Some(previous) = previous {
                db::users::delete_session(&tx, &previous.to_hex())?;
            }
            db::users::create_session(&tx, &stored_session.to_hex(), user_id, &stored_csrf, now, expires)?;
            Ok(tx.commit()?)
        })
        .await?;
    if let Some(previous) = previous {
        state.auth.live.end(previous);
    }
    tracing::info!(user_id, "signed in");
    let cookie = auth::session_cookie(&session, state.auth.secure_cookie(&headers))?;
    Ok(([(header::SET_COOKIE, cookie)], Json(account.me(&csrf))).into_response())
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
    if let Some(session) = auth::session_token(&headers).map(|token| SessionId::of(&token)) {
        state.store.call(move |conn| Ok(db::users::delete_session(conn, &session.to_hex())?)).await?;
        // Its open streams (SSE, `/ws`, Pusher channels) end with it.
        state.auth.live.end(session);
    }
    let cleared = auth::cleared_session_cookie(state.auth.secure_cookie(&headers));
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared)]).into_response())
}

async fn me(user: CurrentUser) -> Json<Me> {
    Json(user.me())
}
