//! Users and their sessions. A session is kept by the hash of its random
//! cookie token, with its own CSRF token, its last request and its expiry
//! (Unix seconds, passed in).

use budtags_wire::{Me, Role};
use rusqlite::{Connection, OptionalExtension, Row, params, types::Type};

use crate::auth::session::SessionTimes;

/// A signed-in person as the API sees them.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub organization_id: i64,
    pub organization_name: String,
}

impl Account {
    /// The `/api/me` answer for this account in a session with `csrf_token`.
    pub fn me(&self, csrf_token: &str) -> Me {
        Me {
            user_id: self.user_id,
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
            organization_id: self.organization_id,
            organization_name: self.organization_name.clone(),
            csrf_token: csrf_token.to_owned(),
        }
    }
}

/// How a role is stored (the `users.role` CHECK constraint lists the same words).
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Approver => "approver",
        Role::Operator => "operator",
        Role::Viewer => "viewer",
    }
}

fn parse_role(text: &str) -> Option<Role> {
    [Role::Approver, Role::Operator, Role::Viewer].into_iter().find(|role| role_name(*role) == text)
}

/// Reads an account from the first six columns: user id, name, e-mail, role,
/// organization id, organization name.
fn account(row: &Row) -> rusqlite::Result<Account> {
    let role: String = row.get(3)?;
    let role = parse_role(&role).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(3, Type::Text, format!("unknown role {role:?}").into())
    })?;
    Ok(Account {
        user_id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        role,
        organization_id: row.get(4)?,
        organization_name: row.get(5)?,
    })
}

/// The account with this e-mail address (case-insensitive) and its password hash.
pub fn find_for_login(conn: &Connection, email: &str) -> rusqlite::Result<Option<(Account, String)>> {
    conn.query_row(
        "SELECT u.id, u.name, u.email, u.role, o.id, o.name, u.password_hash
         FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.email = ?1",
        [email.trim()],
        |row| Ok((account(row)?, row.get(6)?)),
    )
    .optional()
}

/// Records a new session, known by the hash of its token.
pub fn create_session(
    conn: &Connection,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
        params![token_hash, user_id, csrf_token, now, expires_at],
    )?;
    Ok(())
}

/// A request in a session: the account, CSRF token and times of a session
/// that has not expired at `now` and was last seen after `idle_since`. A
/// session last seen at or before `touch_before` is marked seen at `now`.
pub fn use_session(
    conn: &Connection,
    token_hash: &str,
    now: i64,
    idle_since: i64,
    touch_before: i64,
) -> rusqlite::Result<Option<(Account, String, SessionTimes)>> {
    let found = conn
        .query_row(
            "SELECT u.id, u.name, u.email, u.role, o.id, o.name, s.csrf_token, s.expires_at, s.last_seen_at
             FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = u.organization_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND s.last_seen_at > ?3",
            params![token_hash, now, idle_since],
            |row| {
                Ok((
                    account(row)?,
                    row.get(6)?,
                    SessionTimes { expires_at: row.get(7)?, last_seen_at: row.get(8)? },
                ))
            },
        )
        .optional()?;
    let Some((account, csrf, mut times)) = found else { return Ok(None) };
    if times.last_seen_at <= touch_before {
        conn.execute(
            "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
            params![token_hash, now],
        )?;
        times.last_seen_at = now;
    }
    Ok(Some((account, csrf, times)))
}

/// A session's expiry and last request, if it exists (live or not).
pub fn session_times(conn: &Connection, token_hash: &str) -> rusqlite::Result<Option<SessionTimes>> {
    conn.query_row(
        "SELECT expires_at, last_seen_at FROM sessions WHERE token_hash = ?1",
        [token_hash],
        |row| Ok(SessionTimes { expires_at: row.get(0)?, last_seen_at: row.get(1)? }),
    )
    .optional()
}

/// Ends a session; ending one that does not exist is not an error.
pub fn delete_session(conn: &Connection, token_hash: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

/// Forgets sessions that expired before `now` or were last seen at or before `idle_since`.
pub fn delete_expired_sessions(conn: &Connection, now: i64, idle_since: i64) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2", [now, idle_since])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_stored_names() {
        for role in [Role::Approver, Role::Operator, Role::Viewer] {
            assert_eq!(parse_role(role_name(role)), Some(role));
        }
        assert_eq!(parse_role("admin"), None);
    }
}
