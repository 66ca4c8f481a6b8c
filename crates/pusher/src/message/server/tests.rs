use serde_json::json;

use super::*;

fn decode(text: &str) -> ServerMessage {
    ServerMessage::decode(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn connection_established_accepts_string_and_object_data() {
    let expected = ServerMessage::ConnectionEstablished { socket_id: "123.456".into(), activity_timeout: 30 };
    let pusher = r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"123.456\",\"activity_timeout\":30}"}"#;
    let object =
        r#"{"event":"pusher:connection_established","data":{"socket_id":"123.456","activity_timeout":30}}"#;
    assert_eq!(decode(pusher), expected);
    assert_eq!(decode(object), expected);
    assert_eq!(
        decode(r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\"}"}"#),
        ServerMessage::ConnectionEstablished {
            socket_id: "1.2".into(),
            activity_timeout: DEFAULT_ACTIVITY_TIMEOUT_SECS
        }
    );
}

#[test]
fn broken_protocol_frames_are_errors() {
    let event = || "pusher:connection_established".to_owned();
    let cases = [
        (
            r#"{"event":"pusher:connection_established","data":"{\"activity_timeout\":30}"}"#,
            DecodeError::MissingField { event: event(), field: "socket_id" },
        ),
        (
            r#"{"event":"pusher:connection_established","data":"socket 1.2"}"#,
            DecodeError::BadField { event: event(), field: "data", problem: "not a JSON object" },
        ),
        (
            r#"{"event":"pusher:connection_established","data":"{\"socket_id\":1.2}"}"#,
            DecodeError::BadField { event: event(), field: "socket_id", problem: "not a string" },
        ),
        (
            r#"{"event":"pusher:connection_established","data":{"socket_id":"1.2","activity_timeout":"30"}}"#,
            DecodeError::BadField {
                event: event(),
                field: "activity_timeout",
                problem: "not a whole number",
            },
        ),
        (
            r#"{"event":"pusher_internal:subscription_succeeded","data":"{}"}"#,
            DecodeError::MissingField {
                event: "pusher_internal:subscription_succeeded".into(),
                field: "channel",
            },
        ),
        (
            r#"{"event":"pusher_internal:member_added","channel":"presence-a","data":"{\"user_info\":{}}"}"#,
            DecodeError::MissingField { event: "pusher_internal:member_added".into(), field: "user_id" },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(ServerMessage::decode(text), Err(expected), "{text}");
    }
}

#[test]
fn errors_decode_from_pusher_soketi_and_reverb_shapes() {
    let table = [
        (
            r#"{"event":"pusher:error","data":{"code":4001,"message":"App key not in this cluster"}}"#,
            Some(4001),
        ),
        (
            r#"{"event":"pusher:error","data":"{\"code\":4009,\"message\":\"App key not in this cluster\"}"}"#,
            Some(4009),
        ),
        (r#"{"event":"pusher:error","data":{"code":null,"message":"App key not in this cluster"}}"#, None),
        (r#"{"event":"pusher:error","data":{"code":99999,"message":"App key not in this cluster"}}"#, None),
        (r#"{"event":"pusher:error","data":{"code":"4001","message":"App key not in this cluster"}}"#, None),
    ];
    for (text, code) in table {
        assert_eq!(
            decode(text),
            ServerMessage::Error { code, message: "App key not in this cluster".into() },
            "{text}"
        );
    }
    assert_eq!(
        decode(r#"{"event":"pusher:error"}"#),
        ServerMessage::Error { code: None, message: String::new() }
    );
}

#[test]
fn ping_and_pong_with_or_without_data() {
    assert_eq!(decode(r#"{"event":"pusher:ping","data":{}}"#), ServerMessage::Ping);
    assert_eq!(decode(r#"{"event":"pusher:ping"}"#), ServerMessage::Ping);
    assert_eq!(decode(r#"{"event":"pusher:pong","data":"{}"}"#), ServerMessage::Pong);
}

#[test]
fn subscription_outcomes() {
    assert_eq!(
        decode(r#"{"event":"pusher_internal:subscription_succeeded","channel":"private-org.1","data":"{}"}"#),
        ServerMessage::SubscriptionSucceeded { channel: "private-org.1".into(), presence: None }
    );
    let presence = r#"{"event":"pusher_internal:subscription_succeeded","channel":"presence-org.1",
        "data":"{\"presence\":{\"ids\":[\"1\",2],\"hash\":{\"1\":{\"name\":\"Ann\"},\"2\":null},\"count\":2}}"}"#;
    let ServerMessage::SubscriptionSucceeded { presence: Some(p), .. } = decode(presence) else {
        panic!("expected presence data")
    };
    assert_eq!(p.ids, ["1", "2"]);
    assert_eq!(p.hash["1"], json!({"name": "Ann"}));
    assert_eq!(p.count, 2);
    let bad_ids = r#"{"event":"pusher_internal:subscription_succeeded","channel":"presence-a",
        "data":{"presence":{"ids":[{"id":1}]}}}"#;
    assert!(matches!(ServerMessage::decode(bad_ids), Err(DecodeError::BadField { field: "presence", .. })));

    let soketi = r#"{"event":"pusher:subscription_error","channel":"private-x",
        "data":{"type":"AuthError","error":"The connection is unauthorized.","status":401}}"#;
    assert_eq!(
        decode(soketi),
        ServerMessage::SubscriptionError {
            channel: "private-x".into(),
            status: Some(401),
            error: "The connection is unauthorized.".into(),
            kind: Some("AuthError".into()),
        }
    );
}

#[test]
fn presence_members_come_and_go() {
    let added = r#"{"event":"pusher_internal:member_added","channel":"presence-a",
        "data":"{\"user_id\":7,\"user_info\":{\"name\":\"Bo\"}}"}"#;
    assert_eq!(
        decode(added),
        ServerMessage::MemberAdded {
            channel: "presence-a".into(),
            user_id: "7".into(),
            user_info: json!({"name": "Bo"})
        }
    );
    let removed =
        r#"{"event":"pusher_internal:member_removed","channel":"presence-a","data":"{\"user_id\":\"7\"}"}"#;
    assert_eq!(
        decode(removed),
        ServerMessage::MemberRemoved { channel: "presence-a".into(), user_id: "7".into() }
    );
    let signin = r#"{"event":"pusher:signin_success","data":"{\"user_data\":\"{\\\"id\\\":\\\"7\\\"}\"}"}"#;
    assert_eq!(decode(signin), ServerMessage::SigninSuccess { user_data: r#"{"id":"7"}"#.into() });
}

#[test]
fn application_events_decode_their_data() {
    let laravel = r#"{"event":"App\\Events\\LabelApproved","channel":"private-org.1","data":"{\"id\":5}"}"#;
    assert_eq!(
        decode(laravel),
        ServerMessage::Event {
            channel: "private-org.1".into(),
            event: r"App\Events\LabelApproved".into(),
            data: json!({"id": 5}),
            user_id: None,
        }
    );
    let whisper = r#"{"event":"client-typing","channel":"presence-a","data":{"on":true},"user_id":"9"}"#;
    assert_eq!(
        decode(whisper),
        ServerMessage::Event {
            channel: "presence-a".into(),
            event: "client-typing".into(),
            data: json!({"on": true}),
            user_id: Some("9".into()),
        }
    );
    // The HTTP API allows any string as data; like pusher-js, keep it as text.
    let ServerMessage::Event { data, .. } = decode(r#"{"event":"e","channel":"c","data":"hello"}"#) else {
        panic!("expected an event")
    };
    assert_eq!(data, json!("hello"));
    assert_eq!(
        decode(r#"{"event":"pusher:cache_miss_someday"}"#),
        ServerMessage::Other { event: "pusher:cache_miss_someday".into(), data: Value::Null }
    );
}

#[test]
fn huge_frames_are_refused_unparsed() {
    let huge = format!(r#"{{"event":"e","channel":"c","data":"{}"}}"#, "x".repeat(MAX_SERVER_FRAME_BYTES));
    assert!(matches!(ServerMessage::decode(&huge), Err(DecodeError::TooLarge { .. })));
}

#[test]
fn every_truncation_of_a_frame_decodes_without_panicking() {
    let frames = [
        r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"123.456\",\"activity_timeout\":120}"}"#,
        r#"{"event":"pusher_internal:subscription_succeeded","channel":"presence-a","data":"{\"presence\":{\"ids\":[\"1\"],\"hash\":{},\"count\":1}}"}"#,
        r#"{"event":"pusher:error","data":{"code":4001,"message":"é ☃"}}"#,
    ];
    for frame in frames {
        for (end, _) in frame.char_indices() {
            let _ = ServerMessage::decode(&frame[..end]);
        }
    }
}

#[test]
fn encoding_follows_the_pusher_wire_conventions() {
    let frame = |m: ServerMessage| serde_json::from_str::<Value>(&m.encode()).unwrap();
    let established =
        frame(ServerMessage::ConnectionEstablished { socket_id: "1.2".into(), activity_timeout: 30 });
    assert_eq!(established["event"], "pusher:connection_established");
    let data = established["data"].as_str().expect("connection_established data is a JSON string");
    assert_eq!(
        serde_json::from_str::<Value>(data).unwrap(),
        json!({"socket_id": "1.2", "activity_timeout": 30})
    );
    assert_eq!(
        frame(ServerMessage::SubscriptionSucceeded { channel: "private-a".into(), presence: None }),
        json!({"event": "pusher_internal:subscription_succeeded", "channel": "private-a", "data": "{}"})
    );
    assert_eq!(
        frame(ServerMessage::Error { code: Some(4009), message: "nope".into() }),
        json!({"event": "pusher:error", "data": {"code": 4009, "message": "nope"}})
    );
    assert_eq!(frame(ServerMessage::Pong), json!({"event": "pusher:pong", "data": {}}));
    assert_eq!(
        frame(ServerMessage::Event {
            channel: "private-a".into(),
            event: "e".into(),
            data: json!({"id": 1}),
            user_id: None
        }),
        json!({"event": "e", "channel": "private-a", "data": r#"{"id":1}"#})
    );
}

#[test]
fn every_message_round_trips() {
    let messages = [
        ServerMessage::ConnectionEstablished { socket_id: "1.2".into(), activity_timeout: 30 },
        ServerMessage::Error { code: Some(4100), message: "over capacity".into() },
        ServerMessage::Error { code: None, message: String::new() },
        ServerMessage::Ping,
        ServerMessage::Pong,
        ServerMessage::SubscriptionSucceeded { channel: "private-a".into(), presence: None },
        ServerMessage::SubscriptionSucceeded {
            channel: "presence-a".into(),
            presence: Some(Presence {
                ids: vec!["1".into()],
                hash: json!({"1": {"n": 1}}).as_object().cloned().unwrap(),
                count: 1,
            }),
        },
        ServerMessage::SubscriptionError {
            channel: "private-a".into(),
            status: Some(403),
            error: "forbidden".into(),
            kind: Some("AuthError".into()),
        },
        ServerMessage::MemberAdded {
            channel: "presence-a".into(),
            user_id: "1".into(),
            user_info: json!({"n": 1}),
        },
        ServerMessage::MemberRemoved { channel: "presence-a".into(), user_id: "1".into() },
        ServerMessage::SigninSuccess { user_data: r#"{"id":"1"}"#.into() },
        ServerMessage::Event {
            channel: "private-a".into(),
            event: "App\\Events\\X".into(),
            data: json!({"a": [1, "two"]}),
            user_id: Some("3".into()),
        },
        ServerMessage::Event {
            channel: "a".into(),
            event: "e".into(),
            data: json!("not json"),
            user_id: None,
        },
        ServerMessage::Other { event: "pusher:future".into(), data: json!({"x": 1}) },
    ];
    for message in messages {
        assert_eq!(ServerMessage::decode(&message.encode()), Ok(message.clone()), "{}", message.encode());
    }
}
