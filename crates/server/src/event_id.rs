//! Where a reconnecting client resumes: `Last-Event-ID`, `?lastEventId=` and
//! `?after=` name the last event it has. Log ids are SQLite row ids, so at
//! most `i64::MAX`; a larger number used to reach the database and come back
//! as a 500. Here it is a 400 that says why, before any query.

use serde::Deserialize;

use crate::error::{Error, Result};

/// A logged event's id as a client sent it back: 0 to `i64::MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "u64")]
pub struct EventId(pub u64);

/// The largest id the event log can hold.
pub const MAX: u64 = i64::MAX as u64;

impl TryFrom<u64> for EventId {
    type Error = String;

    fn try_from(id: u64) -> std::result::Result<Self, String> {
        if id <= MAX { Ok(EventId(id)) } else { Err(format!("event ids are at most {MAX}")) }
    }
}

impl EventId {
    /// Parses a `Last-Event-ID` header: a 400 unless it is a whole number up to [`MAX`].
    pub fn parse_header(text: &str) -> Result<EventId> {
        text.trim().parse::<u64>().ok().filter(|id| *id <= MAX).map(EventId).ok_or_else(|| {
            Error::BadRequest(format!("Last-Event-ID must be a whole number from 0 to {MAX}."))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_past_the_log_range_are_refused() {
        assert_eq!(EventId::parse_header(" 42 ").unwrap(), EventId(42));
        assert_eq!(EventId::parse_header(&MAX.to_string()).unwrap(), EventId(MAX));
        for bad in ["9223372036854775808", "18446744073709551616", "-1", "abc", ""] {
            assert!(matches!(EventId::parse_header(bad), Err(Error::BadRequest(_))), "{bad}");
        }
        assert!(EventId::try_from(MAX + 1).is_err());
    }
}
