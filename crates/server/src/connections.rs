//! The accept loop: how many connections the server holds, and how long a
//! connection may take to say what it wants.
//!
//! `axum::serve` has no timeouts: slow or idle sockets stayed open for good,
//! and about 1,100 of them used up a 1,024 file limit so that sign-in timed
//! out for real users. [`serve_with`] is the same loop on hyper's HTTP/1
//! connection builder, with [`Limits`]:
//!
//! - a connection cap: past [`Limits::max_connections`] a new connection is
//!   answered `503` at once and closed (see [`refuse`]);
//! - a header-read timeout, which in hyper's HTTP/1 also runs while a
//!   keep-alive connection waits for its next request, so it is the idle
//!   timeout too (`idle_keep_alive_connections_are_closed` checks this);
//! - a request timeout (request head to response head, so a body dripped one
//!   byte at a time is cut off) and a body timeout between body frames.
//!
//! Streams (SSE, WebSockets after the upgrade) are not timed here: SSE has
//! sent its head, an upgraded socket has left hyper; the built-in Pusher
//! endpoint closes sockets that hold no channel
//! ([`crate::realtime::RealtimeSettings::subscription_timeout`]).
//!
//! Every request carries `ConnectInfo<SocketAddr>` as axum's
//! `into_make_service_with_connect_info` would add it.

use std::{future::Future, io, net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Router,
    body::Body,
    extract::{ConnectInfo, Request},
    http::StatusCode,
};
use budtags_wire::{ErrorBody, ErrorCode};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore, watch},
};
use tower::ServiceExt;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// How much one client may hold and for how long. The defaults suit the demo
/// server on a 1,024 file limit; tests shorten the timeouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at most, streams included. Below the usual 1,024
    /// file limit, so the database, the log and outgoing connections still
    /// get descriptors.
    pub max_connections: u32,
    /// From the moment a connection may send a request (its start, or the
    /// end of the previous response) until its whole request head arrived.
    pub header_read_timeout: Duration,
    /// From the request head until the response head: reading the body is
    /// part of it. 408 when it runs out.
    pub request_timeout: Duration,
    /// The longest pause between two pieces of a request body.
    pub body_timeout: Duration,
    /// After shutdown, how long open requests may take to finish.
    pub drain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 768,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(30),
        }
    }
}

/// [`serve_with`] the default [`Limits`].
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    serve_with(listener, app, shutdown, Limits::default()).await
}

/// Serves `app` on `listener` until `shutdown` completes, then stops
/// accepting and lets open requests finish, for at most
/// [`Limits::drain_timeout`]. Long-lived streams end on
/// [`crate::EventBus::disconnect_all`], which the shutdown future calls.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: Limits,
) -> io::Result<()> {
    let app = app
        .layer(RequestBodyTimeoutLayer::new(limits.body_timeout))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout));
    let permits = Arc::new(Semaphore::new(limits.max_connections as usize));
    // Dropping the sender tells every connection to finish its request and close.
    let (stop, stopped) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::warn!(%peer, max = limits.max_connections, "connection cap reached; refusing");
            refuse(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, peer, app.clone(), limits, stopped.clone(), permit));
    }
    drop(listener);
    drop(stop);
    // Every connection holds a permit until it ends: all permits back means drained.
    let drained = permits.acquire_many(limits.max_connections);
    if tokio::time::timeout(limits.drain_timeout, drained).await.is_err() {
        tracing::warn!(
            open = limits.max_connections as usize - permits.available_permits(),
            "shutdown: connections still open after the drain timeout"
        );
    }
    Ok(())
}

/// One connection until it ends or shutdown has let its request finish.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    mut stopped: watch::Receiver<()>,
    _permit: OwnedSemaphorePermit,
) {
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request)
    });
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout).keep_alive(true);
    let connection = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = stopped.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        // Timeouts, resets and malformed requests: the client's doing.
        tracing::debug!(%peer, error = %e, "connection ended");
    }
}

/// Over the cap: a `503` written only if the socket takes it at once, then
/// closed. Refusing rather than no longer accepting: a client left in the
/// listen backlog waits with no answer, and a full backlog drops new
/// connections without a word; this way the descriptor is held for
/// microseconds and the client learns to retry.
fn refuse(stream: TcpStream) {
    let _ = stream.try_write(busy_response().as_bytes());
}

/// The whole `503` response, with the JSON error body.
fn busy_response() -> String {
    let body = ErrorBody::new(ErrorCode::Unavailable, "The server is busy; try again in a moment.");
    let body = serde_json::to_string(&body).expect("error bodies serialise");
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// After a failed `accept`: a client that gave up is no matter; anything
/// else (out of file descriptors) is logged and waited out briefly, as
/// `axum::serve` does, rather than spinning.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    tracing::error!(error = %e, "accept failed; pausing");
    tokio::time::sleep(Duration::from_millis(250)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_answer_is_a_whole_json_response() {
        let response = busy_response();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 "));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let body: ErrorBody = serde_json::from_str(body).unwrap();
        assert_eq!(body.error.code, ErrorCode::Unavailable);
    }
}
