//! Server → client messages: decoded by a client, encoded by a server.

use serde_json::{Map, Value, json};

use super::{DecodeError, Frame, MAX_SERVER_FRAME_BYTES, check_size};

/// The activity timeout assumed when `pusher:connection_established` omits it.
pub const DEFAULT_ACTIVITY_TIMEOUT_SECS: u64 = 120;

/// A presence channel's members at subscription time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Presence {
    pub ids: Vec<String>,
    /// `user_id` → `user_info`.
    pub hash: Map<String, Value>,
    pub count: u64,
}

/// Everything a Pusher-compatible server sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerMessage {
    /// `pusher:connection_established`; `activity_timeout` in seconds.
    ConnectionEstablished { socket_id: String, activity_timeout: u64 },
    /// `pusher:error`; the code, when present, is usually a close code (4xxx).
    Error { code: Option<u16>, message: String },
    /// `pusher:ping`: answer with `pusher:pong`.
    Ping,
    /// `pusher:pong`.
    Pong,
    /// `pusher_internal:subscription_succeeded`; `presence` on presence channels.
    SubscriptionSucceeded { channel: String, presence: Option<Presence> },
    /// `pusher:subscription_error` (Soketi's `{type, error, status}`).
    SubscriptionError { channel: String, status: Option<u16>, error: String, kind: Option<String> },
    /// `pusher_internal:member_added`.
    MemberAdded { channel: String, user_id: String, user_info: Value },
    /// `pusher_internal:member_removed`.
    MemberRemoved { channel: String, user_id: String },
    /// `pusher:signin_success`; `user_data` is the JSON string that was signed.
    SigninSuccess { user_data: String },
    /// An application or client event on a channel; `data` decoded.
    Event { channel: String, event: String, data: Value, user_id: Option<String> },
    /// Any other event without a channel, kept for forward compatibility.
    Other { event: String, data: Value },
}

impl ServerMessage {
    /// Client side: decodes one text frame (at most [`MAX_SERVER_FRAME_BYTES`]).
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        check_size(text, MAX_SERVER_FRAME_BYTES)?;
        Self::from_frame(Frame::parse(text)?)
    }

    /// Interprets a parsed frame.
    pub fn from_frame(frame: Frame) -> Result<Self, DecodeError> {
        Ok(match frame.event.as_str() {
            "pusher:connection_established" => {
                let mut data = frame.protocol_data()?;
                ServerMessage::ConnectionEstablished {
                    socket_id: data.string("socket_id")?,
                    activity_timeout: data
                        .opt_u64("activity_timeout")?
                        .unwrap_or(DEFAULT_ACTIVITY_TIMEOUT_SECS),
                }
            }
            "pusher:error" => {
                let mut data = frame.protocol_data()?;
                let code = data.lenient_code("code");
                ServerMessage::Error { code, message: data.opt_string("message")?.unwrap_or_default() }
            }
            "pusher:ping" => ServerMessage::Ping,
            "pusher:pong" => ServerMessage::Pong,
            "pusher_internal:subscription_succeeded" => {
                let channel = frame.require_channel()?;
                let mut data = frame.protocol_data()?;
                let presence =
                    match data.value("presence") {
                        None => None,
                        Some(Value::Object(presence)) => Some(parse_presence(presence).ok_or_else(|| {
                            data.bad("presence", "expected {ids: [id], hash: {}, count: n}")
                        })?),
                        Some(_) => return Err(data.bad("presence", "not an object")),
                    };
                ServerMessage::SubscriptionSucceeded { channel, presence }
            }
            "pusher:subscription_error" => {
                let channel = frame.require_channel()?;
                let mut data = frame.protocol_data()?;
                ServerMessage::SubscriptionError {
                    channel,
                    status: data.lenient_code("status"),
                    error: data.opt_string("error")?.unwrap_or_default(),
                    kind: data.opt_string("type")?,
                }
            }
            "pusher_internal:member_added" => {
                let channel = frame.require_channel()?;
                let mut data = frame.protocol_data()?;
                let user_id = data.id("user_id")?;
                ServerMessage::MemberAdded {
                    channel,
                    user_id,
                    user_info: data.value("user_info").unwrap_or_default(),
                }
            }
            "pusher_internal:member_removed" => {
                let channel = frame.require_channel()?;
                ServerMessage::MemberRemoved { channel, user_id: frame.protocol_data()?.id("user_id")? }
            }
            "pusher:signin_success" => {
                ServerMessage::SigninSuccess { user_data: frame.protocol_data()?.string("user_data")? }
            }
            _ => {
                let data = frame.event_data();
                match frame.channel {
                    Some(channel) => {
                        ServerMessage::Event { channel, event: frame.event, data, user_id: frame.user_id }
                    }
                    None => ServerMessage::Other { event: frame.event, data },
                }
            }
        })
    }

    /// Server side: the frame to send. Protocol payloads follow what Pusher
    /// itself sends: `data` is a JSON string except for `pusher:error`,
    /// `pusher:subscription_error`, ping and pong, which carry objects.
    pub fn to_frame(&self) -> Frame {
        match self {
            ServerMessage::ConnectionEstablished { socket_id, activity_timeout } => {
                Frame::new("pusher:connection_established")
                    .with_data_string(&json!({"socket_id": socket_id, "activity_timeout": activity_timeout}))
            }
            ServerMessage::Error { code, message } => {
                let mut data = json!({ "message": message });
                if let Some(code) = code {
                    data["code"] = json!(code);
                }
                Frame::new("pusher:error").with_data(data)
            }
            ServerMessage::Ping => Frame::new("pusher:ping").with_data(json!({})),
            ServerMessage::Pong => Frame::new("pusher:pong").with_data(json!({})),
            ServerMessage::SubscriptionSucceeded { channel, presence } => {
                let data = match presence {
                    None => json!({}),
                    Some(p) => json!({"presence": {"ids": p.ids, "hash": p.hash, "count": p.count}}),
                };
                Frame::new("pusher_internal:subscription_succeeded")
                    .with_channel(channel)
                    .with_data_string(&data)
            }
            ServerMessage::SubscriptionError { channel, status, error, kind } => {
                let mut data = json!({ "error": error });
                if let Some(status) = status {
                    data["status"] = json!(status);
                }
                if let Some(kind) = kind {
                    data["type"] = json!(kind);
                }
                Frame::new("pusher:subscription_error").with_channel(channel).with_data(data)
            }
            ServerMessage::MemberAdded { channel, user_id, user_info } => {
                Frame::new("pusher_internal:member_added")
                    .with_channel(channel)
                    .with_data_string(&json!({"user_id": user_id, "user_info": user_info}))
            }
            ServerMessage::MemberRemoved { channel, user_id } => Frame::new("pusher_internal:member_removed")
                .with_channel(channel)
                .with_data_string(&json!({ "user_id": user_id })),
            ServerMessage::SigninSuccess { user_data } => {
                Frame::new("pusher:signin_success").with_data_string(&json!({ "user_data": user_data }))
            }
            ServerMessage::Event { channel, event, data, user_id } => Frame {
                user_id: user_id.clone(),
                ..Frame::new(event.as_str()).with_channel(channel).with_data_string(data)
            },
            ServerMessage::Other { event, data } => match data {
                Value::Null => Frame::new(event.as_str()),
                data => Frame::new(event.as_str()).with_data_string(data),
            },
        }
    }

    /// Server side: the text frame to send.
    pub fn encode(&self) -> String {
        self.to_frame().to_text()
    }
}

fn parse_presence(mut presence: Map<String, Value>) -> Option<Presence> {
    let ids = match presence.remove("ids") {
        Some(Value::Array(ids)) => ids.iter().map(super::id_string).collect::<Option<Vec<_>>>()?,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return None,
    };
    let hash = match presence.remove("hash") {
        Some(Value::Object(hash)) => hash,
        None | Some(Value::Null) => Map::new(),
        Some(_) => return None,
    };
    let count = match presence.remove("count") {
        Some(count) => count.as_u64()?,
        None => ids.len() as u64,
    };
    Some(Presence { ids, hash, count })
}

#[cfg(test)]
mod tests;
