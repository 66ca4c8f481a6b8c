//! HTTP: one error type for everything that can go wrong talking to the
//! server, and the typed calls the queries use.

pub mod early;
pub mod jobs;
pub mod labels;
pub mod packages;
pub mod session;
pub mod transfers;

use std::{cell::RefCell, collections::BTreeMap, rc::Rc, time::Duration};

use budtags_wire::ErrorBody;
use gloo_net::http::{Method, Request, RequestBuilder, Response};
use serde::{Serialize, de::DeserializeOwned};
use web_sys::RequestCache;

use crate::query::retry::RetryPolicy;

/// Why a request failed, in terms a page can show and a policy can act on.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    /// A form the server refused: a message per field (request-body names).
    #[error("{message}")]
    Invalid { message: String, fields: BTreeMap<String, String> },
    #[error("Your session has ended; please sign in again.")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("The server is busy; trying again shortly.")]
    RateLimited { retry_after: Option<Duration> },
    #[error("The server took too long to answer.")]
    Timeout,
    #[error("You are offline; this will refresh when the network is back.")]
    Offline,
    /// The browser's own words are kept for the console, not shown.
    #[error("Cannot reach the server. Check the connection; the page keeps trying.")]
    Network(String),
    #[error("The server sent something unexpected ({0}).")]
    Decode(String),
    #[error("The server had a problem (HTTP {status}): {message}")]
    Server { status: u16, message: String },
}

impl ApiError {
    /// Whether trying the same request later may succeed: the server or the
    /// path to it was down, busy or slow. Not a refusal about the request itself.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Offline
            | ApiError::Network(_)
            | ApiError::Timeout
            | ApiError::RateLimited { .. }
            | ApiError::Decode(_)
            | ApiError::Server { .. } => true,
            ApiError::BadRequest(_)
            | ApiError::Invalid { .. }
            | ApiError::Unauthorized
            | ApiError::Forbidden(_)
            | ApiError::NotFound(_)
            | ApiError::Conflict(_) => false,
        }
    }

    /// Builds the error for a non-success response from its status, body and
    /// `Retry-After` header. Pure, so it is tested natively.
    pub fn from_response(status: u16, body: &str, retry_after: Option<&str>) -> ApiError {
        let (message, fields) = serde_json::from_str::<ErrorBody>(body)
            .map(|b| (b.error.message, b.error.fields))
            .unwrap_or_else(|_| (format!("HTTP {status}"), BTreeMap::new()));
        if matches!(status, 400 | 422) && !fields.is_empty() {
            return ApiError::Invalid { message, fields };
        }
        let retry_after = retry_after.and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
        match status {
            400 | 422 => ApiError::BadRequest(message),
            401 | 419 => ApiError::Unauthorized,
            403 => ApiError::Forbidden(message),
            404 => ApiError::NotFound(message),
            408 => ApiError::Timeout,
            409 => ApiError::Conflict(message),
            429 => ApiError::RateLimited { retry_after },
            _ => ApiError::Server { status, message },
        }
    }
}

/// `GET url` and decode the JSON body, or the error the server described.
pub async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let deadline = Deadline::start();
    let response = match early::take(url).await {
        Some(response) => response,
        None => Request::get(url)
            .header("Accept", "application/json")
            .abort_signal(deadline.signal().as_ref())
            .send()
            .await
            .map_err(|e| deadline.error(e.to_string()))?,
    };
    decode_with_body(url, response, &deadline).await.map(|(value, _)| value)
}

/// How long a request (and reading its answer) may take before it counts as
/// a timeout: 20 s (`localStorage["budtags.requestTimeoutMs"]` changes it,
/// for tests). A timed-out read is retried, probed, or kept in the outbox
/// like any transient failure.
fn request_timeout() -> Duration {
    thread_local! {
        static TIMEOUT: Duration = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item("budtags.requestTimeoutMs").ok().flatten())
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(Duration::from_secs(20), Duration::from_millis);
    }
    TIMEOUT.with(|t| *t)
}

/// A request's time limit: when it passes, the fetch (or the reading of its
/// body) is aborted and the failure is a [`ApiError::Timeout`].
struct Deadline {
    controller: Option<web_sys::AbortController>,
    fired: Rc<std::cell::Cell<bool>>,
    _timer: Option<gloo_timers::callback::Timeout>,
}

impl Deadline {
    fn start() -> Self {
        let fired = Rc::new(std::cell::Cell::new(false));
        let Ok(controller) = web_sys::AbortController::new() else {
            return Self { controller: None, fired, _timer: None };
        };
        let (abort, flag) = (controller.clone(), fired.clone());
        let millis = u32::try_from(request_timeout().as_millis()).unwrap_or(u32::MAX);
        let timer = gloo_timers::callback::Timeout::new(millis, move || {
            flag.set(true);
            abort.abort();
        });
        Self { controller: Some(controller), fired, _timer: Some(timer) }
    }

    fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.controller.as_ref().map(web_sys::AbortController::signal)
    }

    /// The error for a failed fetch or body read.
    fn error(&self, detail: String) -> ApiError {
        if self.fired.get() { ApiError::Timeout } else { network_error(detail) }
    }
}

thread_local! {
    /// The signed-in session's CSRF token, sent as `X-CSRF-TOKEN` on every
    /// state-changing request (set by the session module on sign-in).
    static CSRF_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
}

thread_local! {
    /// Told about every `401` (the session ended), except the sign-in's own
    /// (a wrong password). Registered by the session module.
    static ON_UNAUTHORIZED: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Registers what to do when any request finds the session ended.
pub fn on_unauthorized(hook: impl Fn() + 'static) {
    ON_UNAUTHORIZED.with(|h| *h.borrow_mut() = Some(Rc::new(hook)));
}

/// The one way a failed response becomes an [`ApiError`]: a `401` from
/// anything but the sign-in itself also tells the session it ended.
fn error_from(url: &str, status: u16, body: &str, retry_after: Option<&str>) -> ApiError {
    let error = ApiError::from_response(status, body, retry_after);
    if error == ApiError::Unauthorized && !url.starts_with(session::LOGIN_URL) {
        // Cloned out first: the hook may start requests of its own.
        if let Some(hook) = ON_UNAUTHORIZED.with(|h| h.borrow().clone()) {
            hook();
        }
    }
    error
}

/// Remembers (or forgets, on sign-out) the session's CSRF token.
pub fn set_csrf_token(token: Option<String>) {
    CSRF_TOKEN.with(|t| *t.borrow_mut() = token);
}

/// A state-changing request (`POST`, `PATCH`, `DELETE`) with an optional JSON
/// body and the CSRF header; decodes the JSON answer or the server's error.
pub async fn send_json<B: Serialize, T: DeserializeOwned>(
    method: Method,
    url: &str,
    body: Option<&B>,
) -> Result<T, ApiError> {
    let response = send(method, url, body).await?;
    decode(url, response).await
}

/// Like [`send_json`] for answers without a body worth reading (`204`).
pub async fn send_empty<B: Serialize>(method: Method, url: &str, body: Option<&B>) -> Result<(), ApiError> {
    let response = send(method, url, body).await?;
    if response.ok() {
        return Ok(());
    }
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    Err(error_from(url, status, &text, response.headers().get("retry-after").as_deref()))
}

async fn send<B: Serialize>(method: Method, url: &str, body: Option<&B>) -> Result<Response, ApiError> {
    if !online() {
        return Err(ApiError::Offline);
    }
    let mut request = RequestBuilder::new(url).method(method).header("Accept", "application/json");
    if let Some(token) = CSRF_TOKEN.with(|t| t.borrow().clone()) {
        request = request.header("X-CSRF-TOKEN", &token);
    }
    let deadline = Deadline::start();
    request = request.abort_signal(deadline.signal().as_ref());
    let request = match body {
        Some(body) => request.json(body).map_err(|e| ApiError::Decode(e.to_string()))?,
        None => request.build().map_err(|e| ApiError::Decode(e.to_string()))?,
    };
    request.send().await.map_err(|e| deadline.error(e.to_string()))
}

/// The answer to a conditional GET.
pub enum Conditional<T> {
    /// New data, with the validator to send next time and the body as the
    /// server sent it (what is kept between visits, never re-encoded).
    Modified { value: T, etag: Option<String>, body: Vec<u8> },
    /// `304`: what the caller holds is current.
    NotModified,
}

/// `GET url` with `If-None-Match: etag` when one is given. The browser's HTTP
/// cache is bypassed so a `304` reaches us instead of a silent `200` copy.
pub async fn get_conditional<T: DeserializeOwned>(
    url: &str,
    etag: Option<&str>,
) -> Result<Conditional<T>, ApiError> {
    if !online() {
        return Err(ApiError::Offline);
    }
    let early = if etag.is_none() { early::take(url).await } else { None };
    let deadline = Deadline::start();
    let response = match early {
        Some(response) => response,
        None => {
            let mut request = Request::get(url)
                .header("Accept", "application/json")
                .cache(RequestCache::NoStore)
                .abort_signal(deadline.signal().as_ref());
            if let Some(etag) = etag {
                request = request.header("If-None-Match", etag);
            }
            request.send().await.map_err(|e| deadline.error(e.to_string()))?
        }
    };
    if response.status() == 304 {
        return Ok(Conditional::NotModified);
    }
    let etag = response.headers().get("etag");
    let (value, body) = decode_with_body(url, response, &deadline).await?;
    Ok(Conditional::Modified { value, etag, body })
}

/// Runs `request` until it succeeds or `policy` gives up, waiting the
/// policy's delay between attempts.
pub async fn with_retry<T, Fut>(policy: RetryPolicy, mut request: impl FnMut() -> Fut) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut retry = 0;
    loop {
        match request().await {
            Ok(value) => return Ok(value),
            Err(error) => match policy.delay(retry, &error, js_sys::Math::random()) {
                Some(delay) => {
                    gloo_timers::future::sleep(delay).await;
                    retry += 1;
                }
                None => return Err(error),
            },
        }
    }
}

fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// A failed request: offline if the browser says so, else a network error.
fn network_error(detail: String) -> ApiError {
    if online() { ApiError::Network(detail) } else { ApiError::Offline }
}

async fn decode<T: DeserializeOwned>(url: &str, response: Response) -> Result<T, ApiError> {
    decode_with_body(url, response, &Deadline::start()).await.map(|(value, _)| value)
}

/// The decoded answer and its body's bytes, read within `deadline`.
async fn decode_with_body<T: DeserializeOwned>(
    url: &str,
    response: Response,
    deadline: &Deadline,
) -> Result<(T, Vec<u8>), ApiError> {
    let status = response.status();
    // Bytes, not text: a 5 MB list is copied into the module once, never
    // decoded to a JavaScript string and encoded back.
    let body = response.binary().await.map_err(|e| deadline.error(e.to_string()))?;
    if (200..300).contains(&status) {
        let value = serde_json::from_slice(&body).map_err(|e| ApiError::Decode(e.to_string()))?;
        Ok((value, body))
    } else {
        let body = String::from_utf8_lossy(&body);
        Err(error_from(url, status, &body, response.headers().get("retry-after").as_deref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_servers_message() {
        let body = r#"{"error":{"code":"not_found","message":"No license X."}}"#;
        assert_eq!(ApiError::from_response(404, body, None), ApiError::NotFound("No license X.".into()));
    }

    #[test]
    fn survives_a_body_that_is_not_ours() {
        let err = ApiError::from_response(502, "<html>Bad gateway</html>", None);
        assert_eq!(err, ApiError::Server { status: 502, message: "HTTP 502".into() });
    }

    #[test]
    fn keeps_field_errors() {
        let body =
            r#"{"error":{"code":"bad_request","message":"Check the form.","fields":{"reason":"Say why."}}}"#;
        let ApiError::Invalid { message, fields } = ApiError::from_response(400, body, None) else {
            panic!("expected Invalid");
        };
        assert_eq!(message, "Check the form.");
        assert_eq!(fields["reason"], "Say why.");
    }

    #[test]
    fn keeps_retry_after() {
        let err = ApiError::from_response(429, "", Some("7"));
        assert_eq!(err, ApiError::RateLimited { retry_after: Some(Duration::from_secs(7)) });
    }
}
