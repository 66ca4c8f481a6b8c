//! Who may hear which channel. Channel names follow Echo: the event log and
//! [`budtags_wire::RealtimeEvent::channel`] use the bare name (`org.1`), Pusher
//! sockets the prefixed one (`private-org.1`).
//!
//! A user may hear their own organization (`org.{id}`, `org.{id}.inventory`),
//! its licenses (`license.{number}`), the incoming transfers to those licenses
//! (`transfer.{id}`) and its label jobs (`job.{id}`); nothing else.

use budtags_pusher::{ChannelKind, auth::validate_channel_name};
use rusqlite::{Connection, OptionalExtension};

use crate::{
    db::ownership,
    error::{Error, Result},
};

/// A channel this server broadcasts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Channel {
    Org(i64),
    OrgInventory(i64),
    License(String),
    Transfer(i64),
    Job(String),
}

impl Channel {
    /// Reads a bare channel name (`org.1`, `license.C11-0000090-LIC`, …).
    /// Numbers must be written canonically (`org.01` is no channel).
    pub fn parse(name: &str) -> Option<Channel> {
        let (kind, rest) = name.split_once('.')?;
        match kind {
            "org" => match rest.split_once('.') {
                None => canonical_id(rest).map(Channel::Org),
                Some((id, "inventory")) => canonical_id(id).map(Channel::OrgInventory),
                Some(_) => None,
            },
            "license" if !rest.is_empty() => Some(Channel::License(rest.to_owned())),
            "transfer" => canonical_id(rest).map(Channel::Transfer),
            "job" if !rest.is_empty() => Some(Channel::Job(rest.to_owned())),
            _ => None,
        }
    }

    /// The organization that owns this channel, if the thing exists.
    pub fn owner(&self, conn: &Connection) -> rusqlite::Result<Option<i64>> {
        match self {
            Channel::Org(id) | Channel::OrgInventory(id) => {
                conn.query_row("SELECT id FROM organizations WHERE id = ?1", [id], |r| r.get(0)).optional()
            }
            Channel::License(number) => ownership::license_organization(conn, number),
            Channel::Transfer(id) => ownership::transfer_organization(conn, *id),
            Channel::Job(id) => ownership::job_organization(conn, id),
        }
    }
}

fn canonical_id(text: &str) -> Option<i64> {
    let id: i64 = text.parse().ok()?;
    (id.to_string() == text).then_some(id)
}

/// A private channel name as a socket names it (`private-org.1`), checked
/// for shape: 400 for a malformed name, 403 for a well-formed one that is not
/// a private channel of this server.
pub fn parse_private(name: &str) -> Result<Channel> {
    validate_channel_name(name).map_err(|e| Error::BadRequest(e.to_string()))?;
    let bare = match ChannelKind::of(name) {
        ChannelKind::Private => &name["private-".len()..],
        ChannelKind::Public | ChannelKind::PrivateEncrypted | ChannelKind::Presence => {
            return Err(not_yours(name));
        }
    };
    Channel::parse(bare).ok_or_else(|| not_yours(name))
}

/// A channel named with or without `private-` (the replay endpoint accepts both).
pub fn parse_any(name: &str) -> Result<Channel> {
    match ChannelKind::of(name) {
        ChannelKind::Private => parse_private(name),
        ChannelKind::Public | ChannelKind::PrivateEncrypted | ChannelKind::Presence => {
            parse_private(&budtags_pusher::echo::private_channel(name))
        }
    }
}

/// Refuses (403) unless `organization_id` owns `channel`. A channel about
/// something that does not exist is refused the same way, so names cannot be
/// probed.
pub fn authorize(conn: &Connection, organization_id: i64, channel: &Channel, name: &str) -> Result<()> {
    match channel.owner(conn)? {
        Some(owner) if owner == organization_id => Ok(()),
        Some(_) | None => Err(not_yours(name)),
    }
}

fn not_yours(name: &str) -> Error {
    Error::Forbidden(format!("You may not listen on {name}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_names_parse_into_channels() {
        let table = [
            ("org.1", Some(Channel::Org(1))),
            ("org.12.inventory", Some(Channel::OrgInventory(12))),
            ("license.C11-0000090-LIC", Some(Channel::License("C11-0000090-LIC".into()))),
            ("transfer.7", Some(Channel::Transfer(7))),
            ("job.demo-1", Some(Channel::Job("demo-1".into()))),
            ("org.01", None),
            ("org.-1", Some(Channel::Org(-1))),
            ("org.1.stock", None),
            ("org.x", None),
            ("org", None),
            ("license.", None),
            ("transfer.+7", None),
            ("job.", None),
            ("team.1", None),
        ];
        for (name, expected) in table {
            assert_eq!(Channel::parse(name), expected, "{name}");
        }
    }

    #[test]
    fn only_well_formed_private_channels_are_considered() {
        assert_eq!(parse_private("private-org.1").unwrap(), Channel::Org(1));
        assert!(matches!(parse_private("private-org 1"), Err(Error::BadRequest(_))));
        assert!(matches!(parse_private(""), Err(Error::BadRequest(_))));
        for refused in ["org.1", "presence-org.1", "private-encrypted-org.1", "private-team.1"] {
            assert!(matches!(parse_private(refused), Err(Error::Forbidden(_))), "{refused}");
        }
        assert_eq!(parse_any("org.2").unwrap(), Channel::Org(2));
        assert_eq!(parse_any("private-org.2").unwrap(), Channel::Org(2));
    }
}
