//! Demo people to sign in as: an approver, an operator and a viewer in each
//! demo organization (two approvers and two operators in the first), all with
//! the password [`DEMO_PASSWORD`]. Each is written when missing.

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
    // A second approver and operator, so two people can work the same queue
    // or the same delivery at once.
    DemoUser {
        id: 7,
        email: "approver2@greenleaf.test",
        name: "Alma Approver",
        organization_id: 1,
        role: Role::Approver,
    },
    DemoUser {
        id: 8,
        email: "operator2@greenleaf.test",
        name: "Otto Operator",
        organization_id: 1,
        role: Role::Operator,
    },
];

/// Writes each of [`DEMO_USERS`] that is not there yet (by id), so databases
/// created before a demo user was added get it too.
pub fn seed_missing(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    for user in DEMO_USERS {
        let known: i64 = tx.query_row(
            "SELECT COUNT(*) FROM users WHERE id = ?1 OR email = ?2",
            params![user.id, user.email],
            |r| r.get(0),
        )?;
        if known > 0 {
            continue;
        }
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
    fn every_organization_has_each_role() {
        for (org, _) in ORGANIZATIONS {
            let roles: Vec<Role> =
                DEMO_USERS.iter().filter(|u| u.organization_id == *org).map(|u| u.role).collect();
            for role in [Role::Approver, Role::Operator, Role::Viewer] {
                assert!(roles.contains(&role), "organization {org} has no {role:?}");
            }
        }
    }

    #[test]
    fn ids_and_emails_are_unique() {
        let mut ids: Vec<i64> = DEMO_USERS.iter().map(|u| u.id).collect();
        let mut emails: Vec<&str> = DEMO_USERS.iter().map(|u| u.email).collect();
        ids.sort();
        ids.dedup();
        emails.sort();
        emails.dedup();
        assert_eq!((ids.len(), emails.len()), (DEMO_USERS.len(), DEMO_USERS.len()));
    }
}
