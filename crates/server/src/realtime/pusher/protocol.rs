//! The built-in Pusher endpoint's decisions, with no I/O: what to answer to a
//! client frame, and which frames a socket gets for an event. The socket loop
//! ([`super::socket`]) only carries these out.
//!
//! Like Laravel Reverb: private channels need a valid signature (else
//! `pusher:error` 4009), public channels are open, presence and encrypted
//! channels, user sign-in and client events are not offered. Anything
//! malformed is answered with `pusher:error` and the connection stays open;
//! only a frame over [`MAX_MESSAGE_BYTES`] closes it (1009, "message too big").

use std::collections::HashSet;

use budtags_pusher::{
    ChannelKind, ClientMessage, DecodeError, ServerMessage, auth,
    echo::{self, DEFAULT_NAMESPACE},
    message::{MAX_MESSAGE_BYTES, check_size},
};
use budtags_wire::EventEnvelope;

use super::hub::Triggered;
use crate::realtime::settings::PusherApp;

/// WebSocket close code: the peer sent a message too big to process (RFC 6455).
pub const CLOSE_MESSAGE_TOO_BIG: u16 = 1009;
/// WebSocket close code: the server is going away (shutting down).
pub const CLOSE_GOING_AWAY: u16 = 1001;
/// Pusher close code: no app with this key.
pub const CLOSE_APP_NOT_FOUND: u16 = 4001;
/// Pusher error code: the subscription's signature is not valid.
pub const ERROR_UNAUTHORIZED: u16 = 4009;
/// Pusher close code: the client answered nothing, not even our ping.
pub const CLOSE_PONG_NOT_RECEIVED: u16 = 4201;
/// Pusher close code: "closed after inactivity"; here, a socket that held no
/// channel for [`crate::RealtimeSettings::subscription_timeout`].
pub const CLOSE_INACTIVE: u16 = 4202;
/// The most channels one socket may hold.
pub const MAX_CHANNELS_PER_SOCKET: usize = 100;

/// What the server does about one client frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Send this message.
    Send(ServerMessage),
    /// Add the channel to the socket's subscriptions and confirm it.
    Subscribe(String),
    /// Drop the channel from the socket's subscriptions (no answer).
    Unsubscribe(String),
    /// Send `error`, then close the connection with `code` and `reason`.
    Close { error: ServerMessage, code: u16, reason: &'static str },
    /// Nothing to do (a `pusher:pong`).
    Nothing,
}

/// A random socket id in Pusher's `digits.digits` shape, like Reverb's.
pub fn new_socket_id(rng: &mut fastrand::Rng) -> String {
    format!("{}.{}", rng.u32(1..1_000_000_000), rng.u32(1..1_000_000_000))
}

fn error(code: Option<u16>, message: impl Into<String>) -> ServerMessage {
    ServerMessage::Error { code, message: message.into() }
}

/// The answer to one text frame from socket `socket_id` of `app`.
pub fn on_text(app: &PusherApp, socket_id: &str, text: &str) -> Reply {
    if let Err(e) = check_size(text, MAX_MESSAGE_BYTES) {
        tracing::info!(socket_id, error = %e, "closing a socket that sent an oversized frame");
        return Reply::Close {
            error: error(Some(CLOSE_MESSAGE_TOO_BIG), e.to_string()),
            code: CLOSE_MESSAGE_TOO_BIG,
            reason: "Message too big",
        };
    }
    let message = match ClientMessage::decode(text) {
        Ok(message) => message,
        Err(e) => {
            tracing::info!(socket_id, error = %e, "refused a client frame");
            let text = match e {
                DecodeError::Unsupported(event) => format!("Unsupported event {event:?}."),
                other => format!("Invalid message format: {other}."),
            };
            return Reply::Send(error(None, text));
        }
    };
    match message {
        // `channel_data` only matters for presence channels, which are not offered.
        ClientMessage::Subscribe { channel, auth, channel_data: _ } => {
            subscribe(app, socket_id, channel, auth.as_deref())
        }
        ClientMessage::Unsubscribe { channel } => Reply::Unsubscribe(channel),
        ClientMessage::Ping => Reply::Send(ServerMessage::Pong),
        ClientMessage::Pong => Reply::Nothing,
        ClientMessage::Signin { .. } => {
            Reply::Send(error(None, "User sign-in is not supported by this server."))
        }
        ClientMessage::ClientEvent { event, .. } => {
            tracing::info!(socket_id, event, "refused a client event");
            Reply::Send(error(None, "Client events are not enabled on this server."))
        }
    }
}

fn subscribe(app: &PusherApp, socket_id: &str, channel: String, signature: Option<&str>) -> Reply {
    if let Err(e) = auth::validate_channel_name(&channel) {
        return Reply::Send(error(None, e.to_string()));
    }
    match ChannelKind::of(&channel) {
        ChannelKind::Public => Reply::Subscribe(channel),
        ChannelKind::Private => {
            let valid = signature.is_some_and(|signature| {
                auth::verify(&app.key, &app.secret, socket_id, &channel, None, signature)
            });
            if valid {
                Reply::Subscribe(channel)
            } else {
                tracing::info!(socket_id, channel, "refused a subscription with a bad signature");
                Reply::Send(error(Some(ERROR_UNAUTHORIZED), "Connection is unauthorized."))
            }
        }
        ChannelKind::Presence | ChannelKind::PrivateEncrypted => Reply::Send(error(
            Some(ERROR_UNAUTHORIZED),
            format!("{channel}: presence and encrypted channels are not supported by this server."),
        )),
    }
}

/// The frame a socket subscribed to `channels` gets for a committed event, if any.
pub fn envelope_frame(envelope: &EventEnvelope, channels: &HashSet<String>) -> Option<String> {
    let channel = echo::private_channel(&envelope.event.channel());
    if !channels.contains(&channel) {
        return None;
    }
    let message = ServerMessage::Event {
        channel,
        event: echo::event_name(envelope.event.echo_name(), DEFAULT_NAMESPACE),
        data: envelope.event.pusher_data(envelope.id),
        user_id: None,
    };
    Some(message.encode())
}

/// The frame a triggered event goes out as on `channel`: the same bytes for
/// every socket, so the hub encodes it once ([`super::hub::Fanned`]).
pub fn triggered_frame(event: &Triggered, channel: &str) -> String {
    ServerMessage::Event {
        channel: channel.to_owned(),
        event: event.name.clone(),
        data: serde_json::Value::String(event.data.clone()),
        user_id: None,
    }
    .encode()
}

#[cfg(test)]
mod tests {
    use super::*;
    use budtags_wire::RealtimeEvent;
    use serde_json::json;

    const SOCKET: &str = "123.456";

    fn app() -> PusherApp {
        PusherApp::random()
    }

    fn subscribe_frame(channel: &str, auth: &str) -> String {
        json!({"event": "pusher:subscribe", "data": {"channel": channel, "auth": auth}}).to_string()
    }

    #[test]
    fn a_valid_signature_subscribes_and_a_forged_one_is_4009() {
        let app = app();
        let good = auth::sign_private(&app.key, &app.secret, SOCKET, "private-org.1").unwrap();
        assert_eq!(
            on_text(&app, SOCKET, &subscribe_frame("private-org.1", &good)),
            Reply::Subscribe("private-org.1".into())
        );
        let other_socket = auth::sign_private(&app.key, &app.secret, "1.2", "private-org.1").unwrap();
        let forged = format!("{}:{}", app.key, "0".repeat(64));
        for bad in [other_socket.as_str(), forged.as_str(), "", "nonsense"] {
            let reply = on_text(&app, SOCKET, &subscribe_frame("private-org.1", bad));
            assert!(
                matches!(reply, Reply::Send(ServerMessage::Error { code: Some(4009), .. })),
                "{bad}: {reply:?}"
            );
        }
    }

    #[test]
    fn public_channels_are_open_and_presence_is_refused() {
        let app = app();
        assert_eq!(on_text(&app, SOCKET, &subscribe_frame("news", "")), Reply::Subscribe("news".into()));
        assert!(matches!(
            on_text(&app, SOCKET, &subscribe_frame("presence-org.1", "k:s")),
            Reply::Send(ServerMessage::Error { code: Some(4009), .. })
        ));
        assert!(matches!(
            on_text(&app, SOCKET, &subscribe_frame("bad channel", "")),
            Reply::Send(ServerMessage::Error { code: None, .. })
        ));
    }

    #[test]
    fn ping_unsubscribe_and_pong() {
        let app = app();
        assert_eq!(
            on_text(&app, SOCKET, r#"{"event":"pusher:ping","data":{}}"#),
            Reply::Send(ServerMessage::Pong)
        );
        assert_eq!(on_text(&app, SOCKET, r#"{"event":"pusher:pong"}"#), Reply::Nothing);
        assert_eq!(
            on_text(&app, SOCKET, r#"{"event":"pusher:unsubscribe","data":{"channel":"news"}}"#),
            Reply::Unsubscribe("news".into())
        );
    }

    #[test]
    fn malformed_unknown_and_client_events_are_errors_not_closes() {
        let app = app();
        for text in [
            "",
            "not json",
            "[1,2]",
            r#"{"data":{}}"#,
            r#"{"event":"pusher:subscribe","data":{}}"#,
            r#"{"event":"pusher:subscribe","data":"nope"}"#,
            r#"{"event":"something:else"}"#,
            r#"{"event":"client-typing","channel":"private-org.1","data":{}}"#,
            r#"{"event":"pusher:signin","data":{"auth":"a","user_data":"{}"}}"#,
        ] {
            let reply = on_text(&app, SOCKET, text);
            assert!(
                matches!(reply, Reply::Send(ServerMessage::Error { code: None, .. })),
                "{text}: {reply:?}"
            );
        }
    }

    #[test]
    fn an_oversized_frame_closes_with_1009() {
        let text =
            format!(r#"{{"event":"pusher:ping","data":{{"pad":"{}"}}}}"#, "x".repeat(MAX_MESSAGE_BYTES));
        assert!(matches!(on_text(&app(), SOCKET, &text), Reply::Close { code: 1009, .. }));
    }

    #[test]
    fn events_go_only_to_subscribers_of_their_channel() {
        let envelope = EventEnvelope {
            id: 5,
            event: RealtimeEvent::LabelApproved {
                organization_id: 1,
                label_id: 2,
                approved_by: "Ana".into(),
            },
        };
        assert_eq!(envelope_frame(&envelope, &HashSet::from(["private-org.2".to_owned()])), None);
        let frame = envelope_frame(&envelope, &HashSet::from(["private-org.1".to_owned()])).unwrap();
        let decoded = ServerMessage::decode(&frame).unwrap();
        let ServerMessage::Event { channel, event, data, .. } = decoded else { panic!("{frame}") };
        assert_eq!((channel.as_str(), event.as_str()), ("private-org.1", r"App\Events\LabelApproved"));
        assert_eq!(data["eventId"], 5);
    }

    #[test]
    fn a_triggered_frame_keeps_the_data_verbatim() {
        let event = Triggered {
            name: "greeting".into(),
            channels: vec!["a".into(), "b".into()],
            data: "not json".into(),
            except_socket: None,
        };
        assert_eq!(triggered_frame(&event, "b"), r#"{"event":"greeting","channel":"b","data":"not json"}"#);
    }

    #[test]
    fn socket_ids_have_the_pusher_shape() {
        let id = new_socket_id(&mut fastrand::Rng::with_seed(1));
        assert_eq!(auth::validate_socket_id(&id), Ok(()), "{id}");
    }
}
