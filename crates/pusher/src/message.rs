//! The frame codec: Pusher's JSON text frames, both directions.
//!
//! Every frame is `{"event": …, "channel"?: …, "data"?: …}`. Server → client
//! `data` is usually a JSON *string* holding JSON (decode twice), though some
//! servers send an object; both are accepted. Client → server `data` is a
//! plain object. Decoding never panics: anything malformed is a
//! [`DecodeError`].
//!
//! - [`Frame`]: the untyped frame, parse and print.
//! - [`ServerMessage`] (`server`): what a server sends; `decode` for the
//!   client, `encode` for the server.
//! - [`ClientMessage`] (`client`): what a client sends; `encode` for the
//!   client, `decode` for the server.

mod client;
mod server;

use serde_json::{Map, Value};

pub use client::ClientMessage;
pub use server::{DEFAULT_ACTIVITY_TIMEOUT_SECS, Presence, ServerMessage};

/// The largest frame a server accepts from a client; Pusher's message limit.
pub const MAX_MESSAGE_BYTES: usize = 10 * 1024;
/// The largest frame a client accepts from a server. Self-hosted servers allow
/// event payloads well past 10 KB (Soketi: 100 KB) and a JSON string inside a
/// frame can double in size when escaped, so this is only a sanity bound.
pub const MAX_SERVER_FRAME_BYTES: usize = 1024 * 1024;

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("frame of {len} bytes exceeds the {max}-byte limit")]
    TooLarge { len: usize, max: usize },
    #[error("frame is not a JSON object: {0}")]
    NotJson(String),
    #[error("frame has no string `event`")]
    MissingEvent,
    #[error("`{event}` frame has no `{field}`")]
    MissingField { event: String, field: &'static str },
    #[error("`{event}` frame has a bad `{field}`: {problem}")]
    BadField { event: String, field: &'static str, problem: &'static str },
    #[error("`{0}` is not an event this side accepts")]
    Unsupported(String),
}

/// Refuses a frame longer than `max` bytes before any parsing happens.
pub fn check_size(text: &str, max: usize) -> Result<(), DecodeError> {
    if text.len() > max { Err(DecodeError::TooLarge { len: text.len(), max }) } else { Ok(()) }
}

/// One frame, before its event is interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub event: String,
    pub channel: Option<String>,
    /// `data` exactly as it appeared: a string, an object, or absent.
    pub data: Option<Value>,
    /// Set by servers on client events in presence channels: who sent it.
    pub user_id: Option<String>,
}

impl Frame {
    /// A frame with only an event name.
    pub fn new(event: impl Into<String>) -> Self {
        Frame { event: event.into(), channel: None, data: None, user_id: None }
    }

    /// Sets the channel the event belongs to.
    pub fn with_channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }

    /// Sets `data` as given: the client → server convention.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// Sets `data` to `data` JSON-encoded as a string: the server → client
    /// convention. A string is taken as already encoded and sent verbatim.
    pub fn with_data_string(mut self, data: &Value) -> Self {
        let encoded = match data {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        self.data = Some(Value::String(encoded));
        self
    }

    /// Parses a text frame. Fields other than the four known ones are ignored.
    pub fn parse(text: &str) -> Result<Frame, DecodeError> {
        let mut object: Map<String, Value> =
            serde_json::from_str(text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
        let event = match object.remove("event") {
            Some(Value::String(event)) => event,
            _ => return Err(DecodeError::MissingEvent),
        };
        let channel = match object.remove("channel") {
            None | Some(Value::Null) => None,
            Some(Value::String(channel)) => Some(channel),
            Some(_) => {
                return Err(DecodeError::BadField { event, field: "channel", problem: "not a string" });
            }
        };
        let data = object.remove("data").filter(|data| !data.is_null());
        let user_id = object.remove("user_id").as_ref().and_then(id_string);
        Ok(Frame { event, channel, data, user_id })
    }

    /// The frame as JSON text, fields in the conventional order.
    pub fn to_text(&self) -> String {
        let mut text = format!("{{\"event\":{}", Value::from(self.event.as_str()));
        if let Some(channel) = &self.channel {
            text.push_str(&format!(",\"channel\":{}", Value::from(channel.as_str())));
        }
        if let Some(data) = &self.data {
            text.push_str(&format!(",\"data\":{data}"));
        }
        if let Some(user_id) = &self.user_id {
            text.push_str(&format!(",\"user_id\":{}", Value::from(user_id.as_str())));
        }
        text.push('}');
        text
    }

    /// The channel, which this event requires.
    pub(crate) fn require_channel(&self) -> Result<String, DecodeError> {
        self.channel.clone().ok_or_else(|| self.missing("channel"))
    }

    /// `data` of a protocol event (`pusher:*`, `pusher_internal:*`): an object,
    /// possibly JSON-encoded in a string; absent reads as `{}`.
    pub(crate) fn protocol_data(&self) -> Result<Fields<'_>, DecodeError> {
        let map = match &self.data {
            None => Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(Value::String(text)) => match serde_json::from_str(text) {
                Ok(Value::Object(map)) => map,
                _ => return Err(self.bad("data", "not a JSON object")),
            },
            Some(_) => return Err(self.bad("data", "not an object")),
        };
        Ok(Fields { frame: self, map })
    }

    /// `data` of an application event: a JSON string is decoded, a string
    /// that is not JSON is kept as a string (as pusher-js does: the HTTP API
    /// allows any string), anything else is taken as is; absent is `null`.
    pub fn event_data(&self) -> Value {
        match &self.data {
            None => Value::Null,
            Some(Value::String(text)) => {
                serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
            }
            Some(other) => other.clone(),
        }
    }

    fn missing(&self, field: &'static str) -> DecodeError {
        DecodeError::MissingField { event: self.event.clone(), field }
    }

    fn bad(&self, field: &'static str, problem: &'static str) -> DecodeError {
        DecodeError::BadField { event: self.event.clone(), field, problem }
    }
}

/// A user id as servers send it: Pusher says string, Laravel apps often send
/// a number; both become a string.
fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(id) => Some(id.clone()),
        Value::Number(id) => Some(id.to_string()),
        _ => None,
    }
}

/// The fields of a decoded protocol `data` object, with errors that name the
/// frame's event.
pub(crate) struct Fields<'a> {
    frame: &'a Frame,
    map: Map<String, Value>,
}

impl Fields<'_> {
    pub(crate) fn string(&mut self, field: &'static str) -> Result<String, DecodeError> {
        self.opt_string(field)?.ok_or_else(|| self.frame.missing(field))
    }

    pub(crate) fn opt_string(&mut self, field: &'static str) -> Result<Option<String>, DecodeError> {
        match self.map.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.frame.bad(field, "not a string")),
        }
    }

    pub(crate) fn opt_u64(&mut self, field: &'static str) -> Result<Option<u64>, DecodeError> {
        match self.map.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => {
                value.as_u64().map(Some).ok_or_else(|| self.frame.bad(field, "not a whole number"))
            }
        }
    }

    /// A status or error code; anything that is not a `u16` reads as none,
    /// so an odd code never hides the message that came with it.
    pub(crate) fn lenient_code(&mut self, field: &'static str) -> Option<u16> {
        self.map.remove(field).and_then(|v| v.as_u64()).and_then(|code| u16::try_from(code).ok())
    }

    /// A user id, string or number.
    pub(crate) fn id(&mut self, field: &'static str) -> Result<String, DecodeError> {
        match self.map.remove(field) {
            None | Some(Value::Null) => Err(self.frame.missing(field)),
            Some(value) => id_string(&value).ok_or_else(|| self.frame.bad(field, "not a string or number")),
        }
    }

    pub(crate) fn value(&mut self, field: &'static str) -> Option<Value> {
        self.map.remove(field).filter(|v| !v.is_null())
    }

    pub(crate) fn bad(&self, field: &'static str, problem: &'static str) -> DecodeError {
        self.frame.bad(field, problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_the_four_fields_and_ignores_the_rest() {
        let frame = Frame::parse(r#"{"event":"e","channel":"c","data":"{}","user_id":7,"extra":1}"#).unwrap();
        assert_eq!(frame.event, "e");
        assert_eq!(frame.channel.as_deref(), Some("c"));
        assert_eq!(frame.data, Some(json!("{}")));
        assert_eq!(frame.user_id.as_deref(), Some("7"));
        let bare = Frame::parse(r#"{"event":"e","channel":null,"data":null}"#).unwrap();
        assert_eq!(bare, Frame::new("e"));
    }

    #[test]
    fn malformed_frames_are_errors() {
        let cases = [
            ("", "not json"),
            ("not json", "not json"),
            ("[\"pusher:ping\"]", "not json"),
            ("\"pusher:ping\"", "not json"),
            ("{\"event\":\"e\"", "not json"),
            ("{}", "no event"),
            ("{\"event\":5}", "no event"),
            ("{\"event\":null}", "no event"),
            ("{\"data\":{}}", "no event"),
        ];
        for (text, why) in cases {
            let err = Frame::parse(text).unwrap_err();
            match why {
                "not json" => assert!(matches!(err, DecodeError::NotJson(_)), "{text}: {err:?}"),
                _ => assert_eq!(err, DecodeError::MissingEvent, "{text}"),
            }
        }
        assert_eq!(
            Frame::parse(r#"{"event":"e","channel":3}"#),
            Err(DecodeError::BadField { event: "e".into(), field: "channel", problem: "not a string" })
        );
    }

    #[test]
    fn size_is_checked_before_parsing() {
        let exact = "x".repeat(MAX_MESSAGE_BYTES);
        assert_eq!(check_size(&exact, MAX_MESSAGE_BYTES), Ok(()));
        let over = format!("{exact}y");
        assert_eq!(
            check_size(&over, MAX_MESSAGE_BYTES),
            Err(DecodeError::TooLarge { len: MAX_MESSAGE_BYTES + 1, max: MAX_MESSAGE_BYTES })
        );
    }

    #[test]
    fn to_text_round_trips_and_escapes() {
        let frame = Frame::new("client-\"quoted\"")
            .with_channel("private-a")
            .with_data(json!({"text": "line\nbreak", "n": 1}));
        let text = frame.to_text();
        assert!(text.starts_with(r#"{"event":"client-\"quoted\"","channel":"private-a","data":{"#), "{text}");
        assert_eq!(Frame::parse(&text).unwrap(), frame);
        assert_eq!(Frame::new("pusher:ping").to_text(), r#"{"event":"pusher:ping"}"#);
    }

    #[test]
    fn data_string_encodes_values_once_and_strings_verbatim() {
        let frame = Frame::new("e").with_data_string(&json!({"a": 1}));
        assert_eq!(frame.data, Some(json!(r#"{"a":1}"#)));
        assert_eq!(frame.event_data(), json!({"a": 1}));
        let raw = Frame::new("e").with_data_string(&json!("already encoded"));
        assert_eq!(raw.data, Some(json!("already encoded")));
    }

    #[test]
    fn event_data_is_lenient_and_protocol_data_is_strict() {
        let with = |data: Option<Value>| Frame { data, ..Frame::new("e") };
        assert_eq!(with(None).event_data(), Value::Null);
        assert_eq!(with(Some(json!("{\"a\":1}"))).event_data(), json!({"a": 1}));
        assert_eq!(with(Some(json!("plain text"))).event_data(), json!("plain text"));
        assert_eq!(with(Some(json!({"a": 1}))).event_data(), json!({"a": 1}));
        assert_eq!(with(Some(json!([1, 2]))).event_data(), json!([1, 2]));

        assert!(with(None).protocol_data().is_ok());
        assert!(with(Some(json!("{\"a\":1}"))).protocol_data().is_ok());
        assert!(with(Some(json!({"a": 1}))).protocol_data().is_ok());
        for bad in [json!("plain text"), json!("[1]"), json!("\"s\""), json!(5), json!([1])] {
            assert!(
                matches!(with(Some(bad.clone())).protocol_data(), Err(DecodeError::BadField { .. })),
                "{bad}"
            );
        }
    }
}
