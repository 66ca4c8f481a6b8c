use super::*;

// The vector from Pusher's HTTP API reference.
const KEY: &str = "278d425bdf160c739803";
const SECRET: &str = "7ad3773142a6692b25b8";
const TIMESTAMP: u64 = 1353088179;
const BODY: &str = r#"{"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"}"#;
const BODY_MD5: &str = "ec365a775a4cd0599faeb73354201b6f";
const SIGNATURE: &str = "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";

fn vector_params() -> Vec<(&'static str, String)> {
    vec![
        ("auth_key", KEY.to_owned()),
        ("auth_timestamp", TIMESTAMP.to_string()),
        ("auth_version", "1.0".to_owned()),
        ("body_md5", BODY_MD5.to_owned()),
        ("auth_signature", SIGNATURE.to_owned()),
    ]
}

/// Splits and unescapes a query string the way a server framework would.
fn parse_query(query: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        let mut out = Vec::new();
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (unescape(k), unescape(v))
        })
        .collect()
}

#[test]
fn body_md5_matches_the_reference_vector() {
    assert_eq!(body_md5(BODY.as_bytes()), BODY_MD5);
}

#[test]
fn trigger_body_serialises_to_the_reference_body() {
    let body = TriggerBody {
        name: "foo".into(),
        channels: Some(vec!["project-3".into()]),
        channel: None,
        data: r#"{"some":"data"}"#.into(),
        socket_id: None,
    };
    assert_eq!(serde_json::to_string(&body).unwrap(), BODY);
    assert_eq!(serde_json::from_str::<TriggerBody>(BODY).unwrap(), body);
}

#[test]
fn string_to_sign_and_signature_match_the_reference_vector() {
    // Given out of order, with the signature present: both must not matter.
    let mut params = vector_params();
    params.reverse();
    let expected = "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179\
                    &auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f";
    assert_eq!(string_to_sign("POST", "/apps/3/events", &params), expected);
    assert_eq!(string_to_sign("post", "/apps/3/events", &params), expected);
    assert_eq!(sign(SECRET, "POST", "/apps/3/events", &params), SIGNATURE);
}

#[test]
fn signed_events_query_matches_the_reference_vector() {
    let query = signed_events_query("3", KEY, SECRET, BODY, TIMESTAMP);
    assert_eq!(
        query,
        format!(
            "auth_key={KEY}&auth_timestamp={TIMESTAMP}&auth_version=1.0&body_md5={BODY_MD5}\
             &auth_signature={SIGNATURE}"
        )
    );
    assert_eq!(events_path("3"), "/apps/3/events");
    assert_eq!(batch_events_path("3"), "/apps/3/batch_events");
}

#[test]
fn verify_accepts_the_reference_request_within_the_clock_window() {
    let params = vector_params();
    for now in [TIMESTAMP, TIMESTAMP - MAX_TIMESTAMP_SKEW_SECS, TIMESTAMP + MAX_TIMESTAMP_SKEW_SECS] {
        assert_eq!(
            verify_request(KEY, SECRET, "POST", "/apps/3/events", &params, BODY.as_bytes(), now),
            Ok(())
        );
    }
    for now in [TIMESTAMP - MAX_TIMESTAMP_SKEW_SECS - 1, TIMESTAMP + MAX_TIMESTAMP_SKEW_SECS + 1] {
        assert_eq!(
            verify_request(KEY, SECRET, "POST", "/apps/3/events", &params, BODY.as_bytes(), now),
            Err(RequestAuthError::Expired { timestamp: TIMESTAMP, now })
        );
    }
}

#[test]
fn verify_names_what_is_wrong() {
    let verify = |params: &[(&str, String)], body: &str, path: &str| {
        verify_request(KEY, SECRET, "POST", path, params, body.as_bytes(), TIMESTAMP)
    };
    let with = |name: &str, value: &str| {
        let mut params = vector_params();
        params.iter_mut().filter(|(k, _)| *k == name).for_each(|(_, v)| *v = value.to_owned());
        params
    };
    let without = |name: &str| {
        let mut params = vector_params();
        params.retain(|(k, _)| *k != name);
        params
    };
    let path = "/apps/3/events";
    for name in ["auth_key", "auth_version", "auth_timestamp", "body_md5", "auth_signature"] {
        assert_eq!(verify(&without(name), BODY, path), Err(RequestAuthError::Missing(name)), "{name}");
    }
    assert_eq!(verify(&with("auth_key", "someone-else"), BODY, path), Err(RequestAuthError::UnknownKey));
    assert_eq!(
        verify(&with("auth_version", "2.0"), BODY, path),
        Err(RequestAuthError::UnsupportedVersion("2.0".into()))
    );
    assert_eq!(
        verify(&with("auth_timestamp", "soon"), BODY, path),
        Err(RequestAuthError::BadTimestamp("soon".into()))
    );
    let tampered = BODY.replace("foo", "bar");
    assert_eq!(verify(&vector_params(), &tampered, path), Err(RequestAuthError::BodyMd5Mismatch));
    // A forger who fixes body_md5 still cannot fix the signature.
    let forged = with("body_md5", &body_md5(tampered.as_bytes()));
    assert_eq!(verify(&forged, &tampered, path), Err(RequestAuthError::BadSignature));
    assert_eq!(verify(&vector_params(), BODY, "/apps/4/events"), Err(RequestAuthError::BadSignature));
    assert_eq!(verify(&with("auth_signature", "00"), BODY, path), Err(RequestAuthError::BadSignature));
}

#[test]
fn signed_query_escapes_values_but_signs_them_raw() {
    let extra = [("filter_by_prefix", "presence-"), ("info", "user_count,subscription_count")];
    let query = signed_query(KEY, SECRET, "GET", "/apps/3/channels", &extra, b"", TIMESTAMP);
    assert!(query.contains("info=user_count%2Csubscription_count"), "{query}");
    assert!(!query.contains("body_md5"), "an empty body has no body_md5: {query}");
    let params = parse_query(&query);
    assert_eq!(verify_request(KEY, SECRET, "GET", "/apps/3/channels", &params, b"", TIMESTAMP), Ok(()));
}

#[test]
fn trigger_bodies_are_validated() {
    let ok = TriggerBody {
        name: "App\\Events\\LabelApproved".into(),
        channels: None,
        channel: Some("private-org.1".into()),
        data: "{}".into(),
        socket_id: Some("1234.1234".into()),
    };
    assert_eq!(ok.validate(), Ok(()));
    assert_eq!(ok.target_channels(), ["private-org.1"]);
    let change = |f: &dyn Fn(&mut TriggerBody)| {
        let mut body = ok.clone();
        f(&mut body);
        body.validate()
    };
    assert_eq!(change(&|b| b.channel = None), Err(TriggerError::NoChannel));
    assert_eq!(change(&|b| b.channels = Some(vec!["a".into()])), Err(TriggerError::ChannelAndChannels));
    assert_eq!(
        change(&|b| {
            b.channel = None;
            b.channels = Some(vec![]);
        }),
        Err(TriggerError::NoChannel)
    );
    assert_eq!(
        change(&|b| {
            b.channel = None;
            b.channels = Some(vec!["a".into(); MAX_CHANNELS + 1]);
        }),
        Err(TriggerError::TooManyChannels(MAX_CHANNELS + 1))
    );
    assert_eq!(change(&|b| b.name.clear()), Err(TriggerError::BadEventName));
    assert_eq!(change(&|b| b.name = "e".repeat(MAX_EVENT_NAME_CHARS + 1)), Err(TriggerError::BadEventName));
    assert_eq!(change(&|b| b.data = "x".repeat(MAX_DATA_BYTES)), Ok(()));
    assert_eq!(
        change(&|b| b.data = "x".repeat(MAX_DATA_BYTES + 1)),
        Err(TriggerError::DataTooLarge(MAX_DATA_BYTES + 1))
    );
    assert!(matches!(change(&|b| b.channel = Some("a b".into())), Err(TriggerError::Invalid(_))));
    assert!(matches!(change(&|b| b.socket_id = Some("x".into())), Err(TriggerError::Invalid(_))));
}

#[test]
fn batches_are_bounded() {
    let event = TriggerBody {
        name: "e".into(),
        channels: None,
        channel: Some("c".into()),
        data: "{}".into(),
        socket_id: None,
    };
    assert_eq!(BatchBody { batch: vec![event.clone(); MAX_BATCH_EVENTS] }.validate(), Ok(()));
    assert_eq!(BatchBody { batch: vec![] }.validate(), Err(TriggerError::BadBatchSize(0)));
    let too_many = BatchBody { batch: vec![event; MAX_BATCH_EVENTS + 1] };
    assert_eq!(too_many.validate(), Err(TriggerError::BadBatchSize(MAX_BATCH_EVENTS + 1)));
    let parsed: BatchBody =
        serde_json::from_str(r#"{"batch":[{"name":"e","channel":"c","data":"{}"}]}"#).unwrap();
    assert_eq!(parsed.batch[0].target_channels(), ["c"]);
}
