//! Demo people to sign in as: an approver, an operator and a viewer in each
//! demo organization, all with the password [`DEMO_PASSWORD`]. Written on a
//! fresh database, and on an existing one whose `users` table is empty.

use budtags_wire::Role;
use rusqlite::{Connection, params};

use super::users::role_name;
use crate::auth::password;

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "budtags";

/// One demo user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoUser {
    pub id: i64,
    pub email: &'static str,
    pub name: &'static str,
    pub organization_id: i64,
    pub role: Role,
}

/// Every demo user, for seeding and for the start-up banner.
pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        id: 1,
        email: "approver@greenleaf.test",
        name: "Ana Approver",
        organization_id: 1,
        role: Role::Approver,
    },
    DemoUser {
        id: 2,
        email: "operator@greenleaf.test",
        name: "Omar Operator",
        organization_id: 1,
        role: Role::Operator,
    },
    DemoUser {
        id: 3,
        email: "viewer@greenleaf.test",
        name: "Vera Viewer",
        organization_id: 1,
        role: Role::Viewer,
    },
    DemoUser {
        id: 4,
        email: "approver@sierra.test",
        name: "Sam Approver",
        organization_id: 2,
        role: Role::Approver,
    },
    DemoUser {
        id: 5,
        email: "operator@sierra.test",
        name: "Olivia Operator",
        organization_id: 2,
        role: Role::Operator,
    },
    DemoUser {
        id: 6,
        email: "viewer@sierra.test",
        name: "Victor Viewer",
        organization_id: 2,
        role: Role::Viewer,
    },
];

/// Writes [`DEMO_USERS`] when there are no users yet.
pub fn seed_if_empty(conn: &mut Connection) -> rusqlite::Result<()> {
    let existing: i64 = conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
    if existing > 0 {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for user in DEMO_USERS {
        let hash = password::hash(DEMO_PASSWORD).map_err(|e| {
            rusqlite::Error::ToSqlConversionFailure(format!("cannot hash the demo password: {e}").into())
        })?;
        tx.execute(
            "INSERT INTO users (id, email, name, organization_id, role, password_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![user.id, user.email, user.name, user.organization_id, role_name(user.role), hash],
        )?;
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::seed::ORGANIZATIONS;

    #[test]
    fn every_organization_has_one_of_each_role() {
        for (org, _) in ORGANIZATIONS {
            let roles: Vec<Role> =
                DEMO_USERS.iter().filter(|u| u.organization_id == *org).map(|u| u.role).collect();
            assert_eq!(roles, [Role::Approver, Role::Operator, Role::Viewer], "organization {org}");
        }
    }
}
