//! One shape for every state-changing request: a handler names who may make
//! it by the extractor it takes, and the extractor makes every check.
//!
//! - [`Writer`]: any signed-in person: the session (401), a same-origin page
//!   or no browser at all ([`super::origin`], 403), and the session's
//!   `X-CSRF-TOKEN` (403).
//! - [`Operator`]: a [`Writer`] who may operate (check-in operators and
//!   approvers; not viewers).
//! - [`Approver`]: a [`Writer`] who may decide labels (staff approvers).
//!
//! Before these, each handler took `CurrentUser` and the headers and repeated
//! the checks, three different ways.

use axum::{extract::FromRequestParts, http::request::Parts};

use super::{CurrentUser, origin};
use crate::{
    AppState,
    error::{Error, Result},
};

/// A signed-in person making a state-changing request from our own page.
#[derive(Clone, Debug)]
pub struct Writer(pub CurrentUser);

/// A [`Writer`] whose role may change inventory, check in and print labels.
#[derive(Clone, Debug)]
pub struct Operator(pub CurrentUser);

/// A [`Writer`] whose role may approve and reject labels.
#[derive(Clone, Debug)]
pub struct Approver(pub CurrentUser);

impl FromRequestParts<AppState> for Writer {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        origin::require_same_origin(&parts.headers)?;
        user.require_csrf(&parts.headers)?;
        Ok(Writer(user))
    }
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let Writer(user) = Writer::from_request_parts(parts, state).await?;
        if !user.account.role.can_operate() {
            return Err(Error::Forbidden(
                "Viewers cannot check packages in, change quantities or print labels; ask an operator."
                    .into(),
            ));
        }
        Ok(Operator(user))
    }
}

impl FromRequestParts<AppState> for Approver {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let Writer(user) = Writer::from_request_parts(parts, state).await?;
        if !user.account.role.can_decide_labels() {
            return Err(Error::Forbidden("Only staff approvers can approve or reject labels.".into()));
        }
        Ok(Approver(user))
    }
}
