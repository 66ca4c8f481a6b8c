//! Users and their sessions. A session is a random cookie token with its own
//! CSRF token and an expiry (Unix seconds, passed in).

use budtags_wire::{Me, Role};
use rusqlite::{Connection, OptionalExtension, Row, params, types::Type};

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

/// Records a new session.
pub fn create_session(
    conn: &Connection,
    token: &str,
    user_id: i64,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sessions (token, user_id, csrf_token, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![token, user_id, csrf_token, now, expires_at],
    )?;
    Ok(())
}

/// The account and CSRF token of a session that has not expired at `now`.
pub fn session_account(
    conn: &Connection,
    token: &str,
    now: i64,
) -> rusqlite::Result<Option<(Account, String)>> {
    conn.query_row(
        "SELECT u.id, u.name, u.email, u.role, o.id, o.name, s.csrf_token
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = u.organization_id
         WHERE s.token = ?1 AND s.expires_at > ?2",
        params![token, now],
        |row| Ok((account(row)?, row.get(6)?)),
    )
    .optional()
}

/// Ends a session; ending one that does not exist is not an error.
pub fn delete_session(conn: &Connection, token: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM sessions WHERE token = ?1", [token])?;
    Ok(())
}

/// Forgets sessions that expired before `now`.
pub fn delete_expired_sessions(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])
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
