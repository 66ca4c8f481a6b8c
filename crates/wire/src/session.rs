//! Signing in: users, roles and the session the app holds.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Approves or rejects labels; everything an operator can do.
    Approver,
    /// Checks packages in on incoming transfers.
    Operator,
    /// Sees everything in the organization, changes nothing.
    Viewer,
}

impl Role {
    /// Approve or reject labels.
    pub fn can_decide_labels(self) -> bool {
        self == Role::Approver
    }

    /// Check packages in, generate label sheets, adjust quantities.
    pub fn can_operate(self) -> bool {
        matches!(self, Role::Approver | Role::Operator)
    }

    /// How the role is shown to people.
    pub fn title(self) -> &'static str {
        match self {
            Role::Approver => "Staff approver",
            Role::Operator => "Check-in operator",
            Role::Viewer => "Viewer",
        }
    }
}

/// `POST /api/login` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// `GET /api/me` (and the answer to a login): who is signed in. The CSRF token
/// goes back in `X-CSRF-TOKEN` on every state-changing request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub organization_id: i64,
    pub organization_name: String,
    pub csrf_token: String,
}
