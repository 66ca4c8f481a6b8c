//! Client → server messages: encoded by a client, decoded by a server.

use serde_json::{Value, json};

use super::{DecodeError, Frame, MAX_MESSAGE_BYTES, check_size};

/// Everything a pusher-js-compatible client sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMessage {
    /// `pusher:subscribe`. `auth` is `"<key>:<hex>"` for private and presence
    /// channels; `channel_data` is the presence member JSON string, exactly as
    /// the auth endpoint returned it (the signature covers its bytes).
    Subscribe { channel: String, auth: Option<String>, channel_data: Option<String> },
    /// `pusher:unsubscribe`.
    Unsubscribe { channel: String },
    /// `pusher:ping`: the server answers `pusher:pong`.
    Ping,
    /// `pusher:pong`, the answer to a server's `pusher:ping`.
    Pong,
    /// `pusher:signin` with the user-auth endpoint's answer.
    Signin { auth: String, user_data: String },
    /// A `client-*` event (an Echo whisper) for the channel's other members.
    ClientEvent { channel: String, event: String, data: Value },
}

impl ClientMessage {
    /// Server side: decodes one text frame (at most [`MAX_MESSAGE_BYTES`]).
    ///
    /// Only the shape is checked here; whether the channel name is valid and
    /// the signature right is the server's next step (see [`crate::auth`]).
    /// An empty `auth` (pusher-js sends `""` for public channels) reads as none.
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        check_size(text, MAX_MESSAGE_BYTES)?;
        Self::from_frame(Frame::parse(text)?)
    }

    /// Interprets a parsed frame.
    pub fn from_frame(frame: Frame) -> Result<Self, DecodeError> {
        Ok(match frame.event.as_str() {
            "pusher:subscribe" => {
                let mut data = frame.protocol_data()?;
                ClientMessage::Subscribe {
                    channel: data.string("channel")?,
                    auth: data.opt_string("auth")?.filter(|auth| !auth.is_empty()),
                    channel_data: data.opt_string("channel_data")?,
                }
            }
            "pusher:unsubscribe" => {
                ClientMessage::Unsubscribe { channel: frame.protocol_data()?.string("channel")? }
            }
            "pusher:ping" => ClientMessage::Ping,
            "pusher:pong" => ClientMessage::Pong,
            "pusher:signin" => {
                let mut data = frame.protocol_data()?;
                ClientMessage::Signin { auth: data.string("auth")?, user_data: data.string("user_data")? }
            }
            event if event.starts_with("client-") => ClientMessage::ClientEvent {
                channel: frame.require_channel()?,
                data: frame.event_data(),
                event: frame.event,
            },
            _ => return Err(DecodeError::Unsupported(frame.event)),
        })
    }

    /// Client side: the frame to send; `data` is a plain object.
    pub fn to_frame(&self) -> Frame {
        match self {
            ClientMessage::Subscribe { channel, auth, channel_data } => {
                let mut data = json!({ "channel": channel });
                if let Some(auth) = auth {
                    data["auth"] = json!(auth);
                }
                if let Some(channel_data) = channel_data {
                    data["channel_data"] = json!(channel_data);
                }
                Frame::new("pusher:subscribe").with_data(data)
            }
            ClientMessage::Unsubscribe { channel } => {
                Frame::new("pusher:unsubscribe").with_data(json!({ "channel": channel }))
            }
            ClientMessage::Ping => Frame::new("pusher:ping").with_data(json!({})),
            ClientMessage::Pong => Frame::new("pusher:pong").with_data(json!({})),
            ClientMessage::Signin { auth, user_data } => {
                Frame::new("pusher:signin").with_data(json!({"auth": auth, "user_data": user_data}))
            }
            ClientMessage::ClientEvent { channel, event, data } => {
                Frame::new(event.as_str()).with_channel(channel).with_data(data.clone())
            }
        }
    }

    /// Client side: the text frame to send.
    pub fn encode(&self) -> String {
        self.to_frame().to_text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> ClientMessage {
        ClientMessage::decode(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn decodes_what_pusher_js_sends() {
        assert_eq!(
            decode(r#"{"event":"pusher:subscribe","data":{"auth":"","channel":"org.1"}}"#),
            ClientMessage::Subscribe { channel: "org.1".into(), auth: None, channel_data: None }
        );
        assert_eq!(
            decode(
                r#"{"event":"pusher:subscribe","data":{"auth":"k:s","channel":"presence-a","channel_data":"{\"user_id\":\"1\"}"}}"#
            ),
            ClientMessage::Subscribe {
                channel: "presence-a".into(),
                auth: Some("k:s".into()),
                channel_data: Some(r#"{"user_id":"1"}"#.into()),
            }
        );
        assert_eq!(
            decode(r#"{"event":"pusher:unsubscribe","data":{"channel":"org.1"}}"#),
            ClientMessage::Unsubscribe { channel: "org.1".into() }
        );
        assert_eq!(decode(r#"{"event":"pusher:ping","data":{}}"#), ClientMessage::Ping);
        assert_eq!(decode(r#"{"event":"pusher:pong"}"#), ClientMessage::Pong);
        assert_eq!(
            decode(r#"{"event":"pusher:signin","data":{"auth":"k:s","user_data":"{\"id\":\"1\"}"}}"#),
            ClientMessage::Signin { auth: "k:s".into(), user_data: r#"{"id":"1"}"#.into() }
        );
        assert_eq!(
            decode(r#"{"event":"client-typing","channel":"presence-a","data":{"on":true}}"#),
            ClientMessage::ClientEvent {
                channel: "presence-a".into(),
                event: "client-typing".into(),
                data: json!({"on": true})
            }
        );
        // Some clients string-encode data as servers do; accept that too.
        assert_eq!(
            decode(r#"{"event":"pusher:subscribe","data":"{\"channel\":\"org.1\"}"}"#),
            ClientMessage::Subscribe { channel: "org.1".into(), auth: None, channel_data: None }
        );
    }

    #[test]
    fn malformed_client_frames_are_errors() {
        let subscribe = || "pusher:subscribe".to_owned();
        let cases = [
            (
                r#"{"event":"pusher:subscribe","data":{}}"#,
                DecodeError::MissingField { event: subscribe(), field: "channel" },
            ),
            (
                r#"{"event":"pusher:subscribe"}"#,
                DecodeError::MissingField { event: subscribe(), field: "channel" },
            ),
            (
                r#"{"event":"pusher:subscribe","data":{"channel":"a","channel_data":{"user_id":1}}}"#,
                DecodeError::BadField { event: subscribe(), field: "channel_data", problem: "not a string" },
            ),
            (
                r#"{"event":"pusher:subscribe","data":"channel=a"}"#,
                DecodeError::BadField { event: subscribe(), field: "data", problem: "not a JSON object" },
            ),
            (
                r#"{"event":"client-typing","data":{}}"#,
                DecodeError::MissingField { event: "client-typing".into(), field: "channel" },
            ),
            (
                r#"{"event":"App\\Events\\X","channel":"a","data":{}}"#,
                DecodeError::Unsupported(r"App\Events\X".into()),
            ),
            (
                r#"{"event":"pusher_internal:subscription_succeeded","channel":"a"}"#,
                DecodeError::Unsupported("pusher_internal:subscription_succeeded".into()),
            ),
            (r#"{"channel":"a"}"#, DecodeError::MissingEvent),
        ];
        for (text, expected) in cases {
            assert_eq!(ClientMessage::decode(text), Err(expected), "{text}");
        }
        assert!(matches!(ClientMessage::decode("pusher:ping"), Err(DecodeError::NotJson(_))));
    }

    #[test]
    fn frames_over_10_kib_are_refused() {
        let frame = |len: usize| {
            let shell = r#"{"event":"client-x","channel":"private-a","data":""}"#;
            format!(
                r#"{{"event":"client-x","channel":"private-a","data":"{}"}}"#,
                "x".repeat(len - shell.len())
            )
        };
        assert!(ClientMessage::decode(&frame(MAX_MESSAGE_BYTES)).is_ok());
        assert_eq!(
            ClientMessage::decode(&frame(MAX_MESSAGE_BYTES + 1)),
            Err(DecodeError::TooLarge { len: MAX_MESSAGE_BYTES + 1, max: MAX_MESSAGE_BYTES })
        );
    }

    #[test]
    fn encodes_plain_object_data() {
        let encoded =
            ClientMessage::Subscribe { channel: "org.1".into(), auth: None, channel_data: None }.encode();
        assert_eq!(encoded, r#"{"event":"pusher:subscribe","data":{"channel":"org.1"}}"#);
        let value = |m: ClientMessage| serde_json::from_str::<Value>(&m.encode()).unwrap();
        assert_eq!(value(ClientMessage::Ping), json!({"event": "pusher:ping", "data": {}}));
        assert_eq!(
            value(ClientMessage::Subscribe {
                channel: "presence-a".into(),
                auth: Some("k:s".into()),
                channel_data: Some("{}".into())
            }),
            json!({"event": "pusher:subscribe", "data": {"channel": "presence-a", "auth": "k:s", "channel_data": "{}"}})
        );
    }

    #[test]
    fn every_message_round_trips() {
        let messages = [
            ClientMessage::Subscribe { channel: "a".into(), auth: None, channel_data: None },
            ClientMessage::Subscribe {
                channel: "presence-a".into(),
                auth: Some("k:s".into()),
                channel_data: Some("{\"user_id\":\"1\"}".into()),
            },
            ClientMessage::Unsubscribe { channel: "a".into() },
            ClientMessage::Ping,
            ClientMessage::Pong,
            ClientMessage::Signin { auth: "k:s".into(), user_data: "{}".into() },
            ClientMessage::ClientEvent {
                channel: "private-a".into(),
                event: "client-x".into(),
                data: json!({"q": "\"hi\""}),
            },
        ];
        for message in messages {
            assert_eq!(ClientMessage::decode(&message.encode()), Ok(message.clone()), "{}", message.encode());
        }
    }
}
