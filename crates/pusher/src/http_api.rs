//! The HTTP trigger API: how a backend publishes through a Pusher-compatible
//! server (`POST /apps/{app_id}/events`), signing on the sending side and
//! verification on the receiving side.
//!
//! Every request carries `auth_key`, `auth_timestamp`, `auth_version=1.0`,
//! `body_md5` (hex MD5 of the body, when there is one) and `auth_signature`:
//! hex HMAC-SHA256 with the app secret over `METHOD\nPATH\n` followed by the
//! other query parameters with lowercased keys, sorted by key, joined as
//! `k=v&…` and *not* URL-escaped. The timestamp is always passed in.

use serde::{Deserialize, Serialize};

use crate::auth::{AuthError, validate_channel_name, validate_socket_id};
use crate::crypto::{hmac_sha256_hex, md5_hex, verify_hmac_sha256_hex};

/// The only signing scheme version there is.
pub const AUTH_VERSION: &str = "1.0";
/// How far `auth_timestamp` may be from the receiver's clock, either way.
pub const MAX_TIMESTAMP_SKEW_SECS: u64 = 600;
/// The largest `data` string one event may carry.
pub const MAX_DATA_BYTES: usize = 10 * 1024;
/// The most channels one trigger may name.
pub const MAX_CHANNELS: usize = 100;
/// The longest event name.
pub const MAX_EVENT_NAME_CHARS: usize = 200;
/// The most events one `batch_events` request may hold.
pub const MAX_BATCH_EVENTS: usize = 10;

/// Why a signed request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestAuthError {
    #[error("missing query parameter `{0}`")]
    Missing(&'static str),
    #[error("unknown auth_key")]
    UnknownKey,
    #[error("unsupported auth_version {0:?}")]
    UnsupportedVersion(String),
    #[error("auth_timestamp {0:?} is not a number of seconds")]
    BadTimestamp(String),
    #[error("auth_timestamp {timestamp} is more than {MAX_TIMESTAMP_SKEW_SECS} s from now ({now})")]
    Expired { timestamp: u64, now: u64 },
    #[error("body_md5 does not match the body")]
    BodyMd5Mismatch,
    #[error("auth_signature does not match")]
    BadSignature,
}

/// Why a trigger body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TriggerError {
    #[error("name one of `channel` or `channels`")]
    NoChannel,
    #[error("give `channel` or `channels`, not both")]
    ChannelAndChannels,
    #[error("{0} channels named, at most {MAX_CHANNELS} allowed")]
    TooManyChannels(usize),
    #[error("event name is empty or longer than {MAX_EVENT_NAME_CHARS} characters")]
    BadEventName,
    #[error("data is {0} bytes, at most {MAX_DATA_BYTES} allowed")]
    DataTooLarge(usize),
    #[error("batch of {0} events, between 1 and {MAX_BATCH_EVENTS} allowed")]
    BadBatchSize(usize),
    #[error(transparent)]
    Invalid(#[from] AuthError),
}

/// The JSON body of `POST /apps/{app_id}/events`, and one entry of a batch.
///
/// `data` is a string, usually JSON the publisher encoded; it is forwarded to
/// subscribers byte for byte. `socket_id` excludes that connection (Laravel's
/// `toOthers()`). Field order matches Pusher's own examples.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerBody {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    pub data: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub socket_id: Option<String>,
}

/// The JSON body of `POST /apps/{app_id}/batch_events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchBody {
    pub batch: Vec<TriggerBody>,
}

impl TriggerBody {
    /// The channels this event goes to, whichever field named them.
    pub fn target_channels(&self) -> Vec<&str> {
        match (&self.channel, &self.channels) {
            (Some(one), _) => vec![one.as_str()],
            (None, Some(many)) => many.iter().map(String::as_str).collect(),
            (None, None) => Vec::new(),
        }
    }

    /// Checks the limits a Pusher server enforces.
    pub fn validate(&self) -> Result<(), TriggerError> {
        let channels = match (&self.channel, &self.channels) {
            (Some(_), Some(_)) => return Err(TriggerError::ChannelAndChannels),
            (None, None) => return Err(TriggerError::NoChannel),
            (None, Some(many)) if many.is_empty() => return Err(TriggerError::NoChannel),
            (None, Some(many)) if many.len() > MAX_CHANNELS => {
                return Err(TriggerError::TooManyChannels(many.len()));
            }
            _ => self.target_channels(),
        };
        if self.name.is_empty() || self.name.chars().count() > MAX_EVENT_NAME_CHARS {
            return Err(TriggerError::BadEventName);
        }
        if self.data.len() > MAX_DATA_BYTES {
            return Err(TriggerError::DataTooLarge(self.data.len()));
        }
        for channel in channels {
            validate_channel_name(channel)?;
        }
        if let Some(socket_id) = &self.socket_id {
            validate_socket_id(socket_id)?;
        }
        Ok(())
    }
}

impl BatchBody {
    /// Checks the batch size and every event in it.
    pub fn validate(&self) -> Result<(), TriggerError> {
        if self.batch.is_empty() || self.batch.len() > MAX_BATCH_EVENTS {
            return Err(TriggerError::BadBatchSize(self.batch.len()));
        }
        self.batch.iter().try_for_each(TriggerBody::validate)
    }
}

/// `/apps/{app_id}/events`.
pub fn events_path(app_id: &str) -> String {
    format!("/apps/{app_id}/events")
}

/// `/apps/{app_id}/batch_events`.
pub fn batch_events_path(app_id: &str) -> String {
    format!("/apps/{app_id}/batch_events")
}

/// Lowercase hex MD5 of a request body.
pub fn body_md5(body: &[u8]) -> String {
    md5_hex(body)
}

/// The exact string `auth_signature` covers. `auth_signature` itself is left
/// out if present; keys are lowercased and sorted; nothing is URL-escaped.
pub fn string_to_sign<K: AsRef<str>, V: AsRef<str>>(method: &str, path: &str, params: &[(K, V)]) -> String {
    let mut pairs: Vec<(String, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_ref().to_ascii_lowercase(), v.as_ref()))
        .filter(|(k, _)| k != "auth_signature")
        .collect();
    pairs.sort();
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{}\n{path}\n{}", method.to_ascii_uppercase(), query.join("&"))
}

/// Hex HMAC-SHA256 of [`string_to_sign`] under `secret`.
pub fn sign<K: AsRef<str>, V: AsRef<str>>(
    secret: &str,
    method: &str,
    path: &str,
    params: &[(K, V)],
) -> String {
    hmac_sha256_hex(secret, &string_to_sign(method, path, params))
}

/// The complete, URL-escaped query string for a request: `extra` parameters
/// plus `auth_key`, `auth_timestamp`, `auth_version`, `body_md5` (when `body`
/// is not empty) and, last, `auth_signature`.
pub fn signed_query(
    key: &str,
    secret: &str,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: &[u8],
    timestamp: u64,
) -> String {
    let timestamp = timestamp.to_string();
    let md5 = body_md5(body);
    let mut params: Vec<(&str, &str)> = extra.to_vec();
    params.extend([
        ("auth_key", key),
        ("auth_timestamp", timestamp.as_str()),
        ("auth_version", AUTH_VERSION),
    ]);
    if !body.is_empty() {
        params.push(("body_md5", md5.as_str()));
    }
    let signature = sign(secret, method, path, &params);
    params.push(("auth_signature", signature.as_str()));
    let encoded: Vec<String> =
        params.iter().map(|(k, v)| format!("{}={}", url_escape(k), url_escape(v))).collect();
    encoded.join("&")
}

/// The signed query string for `POST /apps/{app_id}/events` with this JSON `body`.
pub fn signed_events_query(app_id: &str, key: &str, secret: &str, body: &str, timestamp: u64) -> String {
    signed_query(key, secret, "POST", &events_path(app_id), &[], body.as_bytes(), timestamp)
}

/// Server side: checks a request's query `params` (already URL-decoded)
/// against this app's `key` and `secret`, the raw `body`, and the receiver's
/// clock `now` (Unix seconds).
pub fn verify_request<K: AsRef<str>, V: AsRef<str>>(
    key: &str,
    secret: &str,
    method: &str,
    path: &str,
    params: &[(K, V)],
    body: &[u8],
    now: u64,
) -> Result<(), RequestAuthError> {
    let param = |name: &'static str| {
        params.iter().find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name)).map(|(_, v)| v.as_ref())
    };
    let require = |name: &'static str| param(name).ok_or(RequestAuthError::Missing(name));

    if require("auth_key")? != key {
        return Err(RequestAuthError::UnknownKey);
    }
    let version = require("auth_version")?;
    if version != AUTH_VERSION {
        return Err(RequestAuthError::UnsupportedVersion(version.to_owned()));
    }
    let raw_timestamp = require("auth_timestamp")?;
    let timestamp: u64 =
        raw_timestamp.parse().map_err(|_| RequestAuthError::BadTimestamp(raw_timestamp.to_owned()))?;
    if timestamp.abs_diff(now) > MAX_TIMESTAMP_SKEW_SECS {
        return Err(RequestAuthError::Expired { timestamp, now });
    }
    match param("body_md5") {
        Some(md5) if md5 != body_md5(body) => return Err(RequestAuthError::BodyMd5Mismatch),
        None if !body.is_empty() => return Err(RequestAuthError::Missing("body_md5")),
        _ => {}
    }
    let signature = require("auth_signature")?;
    if verify_hmac_sha256_hex(secret, &string_to_sign(method, path, params), signature) {
        Ok(())
    } else {
        Err(RequestAuthError::BadSignature)
    }
}

/// Percent-escapes everything but RFC 3986 unreserved characters.
fn url_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
