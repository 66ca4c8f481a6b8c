//! Channel authorisation: the signatures a backend hands out at
//! `POST /broadcasting/auth` so a socket may join a private or presence
//! channel, and the user sign-in signature.
//!
//! The signature is lowercase hex HMAC-SHA256, keyed with the app secret, over
//! - private: `<socket_id>:<channel_name>`
//! - presence: `<socket_id>:<channel_name>:<channel_data>`
//! - sign-in: `<socket_id>::user::<user_data>`
//!
//! and is sent as `"<app_key>:<hex>"`. Inputs are validated first, so a bad
//! socket id or channel name is a clear error rather than a signature the
//! server will silently reject.

use serde::{Deserialize, Serialize};

use crate::crypto::{hmac_sha256_hex, verify_hmac_sha256_hex};

/// The longest channel name Pusher accepts.
pub const MAX_CHANNEL_NAME_CHARS: usize = 164;

/// Why an input to signing was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("invalid socket id {0:?}: expected digits, a dot, digits (e.g. \"1234.5678\")")]
    InvalidSocketId(String),
    #[error("invalid channel name {name:?}: {reason}")]
    InvalidChannelName { name: String, reason: ChannelNameProblem },
}

/// What exactly is wrong with a channel name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChannelNameProblem {
    #[error("it is empty")]
    Empty,
    #[error("it is longer than {MAX_CHANNEL_NAME_CHARS} characters")]
    TooLong,
    #[error("{0:?} is not allowed (only A-Z a-z 0-9 _ - = @ , . ;)")]
    ForbiddenChar(char),
}

/// The JSON body a channel-auth endpoint answers with:
/// `{"auth":"<key>:<hex>"}`, plus `channel_data` for presence channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthResponse {
    pub auth: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_data: Option<String>,
}

/// The JSON body a user-authentication endpoint answers with
/// (`pusher:signin`): `{"auth":"<key>:<hex>","user_data":"<json string>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigninResponse {
    pub auth: String,
    pub user_data: String,
}

/// Checks a socket id has the shape `^\d+\.\d+$`.
pub fn validate_socket_id(socket_id: &str) -> Result<(), AuthError> {
    let valid = match socket_id.split_once('.') {
        Some((left, right)) => is_digits(left) && is_digits(right),
        None => false,
    };
    if valid { Ok(()) } else { Err(AuthError::InvalidSocketId(socket_id.to_owned())) }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a channel name uses only `[A-Za-z0-9_\-=@,.;]` and is 1–164 characters.
pub fn validate_channel_name(name: &str) -> Result<(), AuthError> {
    let problem = if name.is_empty() {
        Some(ChannelNameProblem::Empty)
    } else if name.chars().count() > MAX_CHANNEL_NAME_CHARS {
        Some(ChannelNameProblem::TooLong)
    } else {
        name.chars().find(|&c| !is_channel_char(c)).map(ChannelNameProblem::ForbiddenChar)
    };
    match problem {
        None => Ok(()),
        Some(reason) => Err(AuthError::InvalidChannelName { name: name.to_owned(), reason }),
    }
}

fn is_channel_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '=' | '@' | ',' | '.' | ';')
}

/// The string a private (or private-encrypted) channel signature covers.
fn private_subject(socket_id: &str, channel: &str) -> String {
    format!("{socket_id}:{channel}")
}

fn presence_subject(socket_id: &str, channel: &str, channel_data: &str) -> String {
    format!("{socket_id}:{channel}:{channel_data}")
}

fn user_subject(socket_id: &str, user_data: &str) -> String {
    format!("{socket_id}::user::{user_data}")
}

/// `"<key>:<hex>"` authorising `socket_id` to subscribe to a private channel.
pub fn sign_private(key: &str, secret: &str, socket_id: &str, channel: &str) -> Result<String, AuthError> {
    validate_socket_id(socket_id)?;
    validate_channel_name(channel)?;
    Ok(format!("{key}:{}", hmac_sha256_hex(secret, &private_subject(socket_id, channel))))
}

/// `"<key>:<hex>"` authorising `socket_id` to join a presence channel as the
/// member described by `channel_data` (a JSON string such as
/// `{"user_id":"7","user_info":{...}}`, signed byte for byte as given).
pub fn sign_presence(
    key: &str,
    secret: &str,
    socket_id: &str,
    channel: &str,
    channel_data: &str,
) -> Result<String, AuthError> {
    validate_socket_id(socket_id)?;
    validate_channel_name(channel)?;
    Ok(format!("{key}:{}", hmac_sha256_hex(secret, &presence_subject(socket_id, channel, channel_data))))
}

/// `"<key>:<hex>"` authenticating `socket_id` as the user in `user_data`
/// (`pusher:signin`).
pub fn sign_user(key: &str, secret: &str, socket_id: &str, user_data: &str) -> Result<String, AuthError> {
    validate_socket_id(socket_id)?;
    Ok(format!("{key}:{}", hmac_sha256_hex(secret, &user_subject(socket_id, user_data))))
}

/// Whether `auth` (`"<key>:<hex>"`) authorises `socket_id` on `channel`.
///
/// Pass `channel_data` exactly as the client sent it for presence channels and
/// `None` otherwise. Any malformed input is simply `false`; the signature is
/// compared in constant time.
pub fn verify(
    key: &str,
    secret: &str,
    socket_id: &str,
    channel: &str,
    channel_data: Option<&str>,
    auth: &str,
) -> bool {
    if validate_socket_id(socket_id).is_err() || validate_channel_name(channel).is_err() {
        return false;
    }
    let subject = match channel_data {
        Some(data) => presence_subject(socket_id, channel, data),
        None => private_subject(socket_id, channel),
    };
    verify_signed(key, secret, &subject, auth)
}

/// Whether `auth` authenticates `socket_id` as the user in `user_data`.
pub fn verify_user(key: &str, secret: &str, socket_id: &str, user_data: &str, auth: &str) -> bool {
    validate_socket_id(socket_id).is_ok()
        && verify_signed(key, secret, &user_subject(socket_id, user_data), auth)
}

fn verify_signed(key: &str, secret: &str, subject: &str, auth: &str) -> bool {
    match auth.split_once(':') {
        // The key is public, so an ordinary comparison is fine for it.
        Some((given_key, signature)) => {
            given_key == key && verify_hmac_sha256_hex(secret, subject, signature)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The vector from Pusher's library auth reference.
    const KEY: &str = "278d425bdf160c739803";
    const SECRET: &str = "7ad3773142a6692b25b8";
    const SOCKET: &str = "1234.1234";
    const PRIVATE_SIG: &str = "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4";

    #[test]
    fn private_signature_matches_the_reference_vector() {
        let auth = sign_private(KEY, SECRET, SOCKET, "private-foobar").unwrap();
        assert_eq!(auth, format!("{KEY}:{PRIVATE_SIG}"));
        assert!(verify(KEY, SECRET, SOCKET, "private-foobar", None, &auth));
    }

    #[test]
    fn presence_signature_covers_channel_data() {
        let data = r#"{"user_id":10,"user_info":{"name":"Mr. Channels"}}"#;
        let auth = sign_presence(KEY, SECRET, SOCKET, "presence-foobar", data).unwrap();
        let expected = hmac_sha256_hex(SECRET, &format!("{SOCKET}:presence-foobar:{data}"));
        assert_eq!(auth, format!("{KEY}:{expected}"));
        assert!(verify(KEY, SECRET, SOCKET, "presence-foobar", Some(data), &auth));
        // Tampered member data, or dropping it, breaks the signature.
        assert!(!verify(KEY, SECRET, SOCKET, "presence-foobar", Some(r#"{"user_id":11}"#), &auth));
        assert!(!verify(KEY, SECRET, SOCKET, "presence-foobar", None, &auth));
    }

    #[test]
    fn user_signature_uses_the_user_subject() {
        let data = r#"{"id":"7"}"#;
        let auth = sign_user(KEY, SECRET, SOCKET, data).unwrap();
        let expected = hmac_sha256_hex(SECRET, &format!("{SOCKET}::user::{data}"));
        assert_eq!(auth, format!("{KEY}:{expected}"));
        assert!(verify_user(KEY, SECRET, SOCKET, data, &auth));
        assert!(!verify_user(KEY, SECRET, "1234.1235", data, &auth));
        assert!(!verify(KEY, SECRET, SOCKET, "private-foobar", None, &auth));
    }

    #[test]
    fn verify_rejects_every_kind_of_mismatch() {
        let good = format!("{KEY}:{PRIVATE_SIG}");
        let cases = [
            ("other socket", "1234.1235", "private-foobar", good.clone()),
            ("other channel", SOCKET, "private-foobaz", good.clone()),
            ("other key", SOCKET, "private-foobar", format!("deadbeef:{PRIVATE_SIG}")),
            ("no key", SOCKET, "private-foobar", PRIVATE_SIG.to_owned()),
            ("truncated", SOCKET, "private-foobar", good[..good.len() - 2].to_owned()),
            ("not hex", SOCKET, "private-foobar", format!("{KEY}:zz{}", &PRIVATE_SIG[2..])),
            ("empty", SOCKET, "private-foobar", String::new()),
            ("bad socket id", "1234", "private-foobar", good.clone()),
            ("bad channel", SOCKET, "private-foo bar", good.clone()),
        ];
        for (case, socket, channel, auth) in cases {
            assert!(!verify(KEY, SECRET, socket, channel, None, &auth), "{case}");
        }
        assert!(!verify(KEY, "wrong-secret", SOCKET, "private-foobar", None, &good));
    }

    #[test]
    fn socket_ids_must_be_digits_dot_digits() {
        for ok in ["1234.1234", "0.0", "123456789012.987654321"] {
            assert_eq!(validate_socket_id(ok), Ok(()), "{ok}");
        }
        for bad in ["", ".", "1234", "1234.", ".1234", "12a4.1", "1.2.3", " 1.2", "1.2 ", "-1.2", "١.٢"] {
            assert_eq!(validate_socket_id(bad), Err(AuthError::InvalidSocketId(bad.to_owned())), "{bad}");
        }
        assert!(matches!(sign_private(KEY, SECRET, "nope", "private-x"), Err(AuthError::InvalidSocketId(_))));
        assert!(sign_user(KEY, SECRET, "nope", "{}").is_err());
    }

    #[test]
    fn channel_names_allow_the_pusher_alphabet_only() {
        let longest = "a".repeat(MAX_CHANNEL_NAME_CHARS);
        for ok in ["a", "private-org.1", "presence-x_y-z=@,.;", "ABCxyz0189", longest.as_str()] {
            assert_eq!(validate_channel_name(ok), Ok(()), "{ok}");
        }
        let too_long = "a".repeat(MAX_CHANNEL_NAME_CHARS + 1);
        let cases = [
            ("", ChannelNameProblem::Empty),
            (too_long.as_str(), ChannelNameProblem::TooLong),
            ("private foo", ChannelNameProblem::ForbiddenChar(' ')),
            ("private-a/b", ChannelNameProblem::ForbiddenChar('/')),
            ("#server-to-user-1", ChannelNameProblem::ForbiddenChar('#')),
            ("private-café", ChannelNameProblem::ForbiddenChar('é')),
        ];
        for (name, reason) in cases {
            let err = validate_channel_name(name).unwrap_err();
            assert_eq!(err, AuthError::InvalidChannelName { name: name.to_owned(), reason }, "{name}");
        }
        assert!(sign_presence(KEY, SECRET, SOCKET, "presence foo", "{}").is_err());
    }

    #[test]
    fn errors_read_clearly() {
        let err = validate_channel_name("a/b").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid channel name \"a/b\": '/' is not allowed (only A-Z a-z 0-9 _ - = @ , . ;)"
        );
    }

    #[test]
    fn responses_have_the_documented_json_shape() {
        let private = AuthResponse { auth: "k:s".into(), channel_data: None };
        assert_eq!(serde_json::to_string(&private).unwrap(), r#"{"auth":"k:s"}"#);
        let presence: AuthResponse =
            serde_json::from_str(r#"{"auth":"k:s","channel_data":"{\"user_id\":\"1\"}"}"#).unwrap();
        assert_eq!(presence.channel_data.as_deref(), Some(r#"{"user_id":"1"}"#));
        let signin = SigninResponse { auth: "k:s".into(), user_data: "{}".into() };
        assert_eq!(serde_json::to_string(&signin).unwrap(), r#"{"auth":"k:s","user_data":"{}"}"#);
    }
}
