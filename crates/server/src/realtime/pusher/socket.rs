//! One connection to the built-in Pusher endpoint, as two tasks under
//! `select!` (the shape of axum's chat example):
//!
//! - the receive task reads client frames, asks [`protocol::on_text`] what to
//!   do, and keeps the connection alive: after `activity_timeout` of silence it
//!   pings, and after 30 s more it closes with 4201 (`budtags_pusher::liveness`);
//! - the send task owns the sink and the socket's subscriptions: it writes
//!   the receive task's answers and every event on a subscribed channel, and
//!   closes with 1001 when the server shuts down. A private channel is held
//!   for the session that authorised it (`POST /broadcasting/auth`,
//!   [`crate::auth::live`]): when that session ends, the socket gets
//!   `pusher:error` 4009 and a 4009 close, so the client stops and does not
//!   reconnect with stale signatures; it closes with 4202 when the
//!   socket has held no channel for `subscription_timeout`.
//!
//! Both are generic over a `Sink`/`Stream` pair, so unit tests drive a whole
//! connection through channels with paused time.

use std::{
    collections::{HashMap, HashSet},
    fmt::Display,
    sync::Arc,
    time::Duration,
};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use budtags_pusher::{
    ChannelKind, ServerMessage,
    liveness::{Activity, Liveness},
};
use budtags_wire::EventEnvelope;
use futures_util::{
    FutureExt, Sink, SinkExt, Stream, StreamExt, future::BoxFuture, stream::FuturesUnordered,
};
use tokio::{
    sync::{
        broadcast::{self, error::RecvError},
        mpsc,
    },
    time::Instant,
};

use super::{
    hub::Fanned,
    protocol::{
        self, CLOSE_GOING_AWAY, CLOSE_INACTIVE, CLOSE_PONG_NOT_RECEIVED, ERROR_UNAUTHORIZED,
        MAX_CHANNELS_PER_SOCKET, Reply,
    },
};
use crate::{
    auth::{live::LiveSessions, session::SessionId},
    realtime::settings::PusherApp,
};

/// How long the send task may take to write what is queued once the client is gone.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// What one connection needs.
pub struct Connection {
    pub app: PusherApp,
    pub socket_id: String,
    /// Announced in `pusher:connection_established`, and the server's own
    /// silence limit before it pings.
    pub activity_timeout: Duration,
    /// How long the socket may hold no channel before it is closed.
    pub subscription_timeout: Duration,
    /// The event bus: committed events.
    pub events: broadcast::Receiver<EventEnvelope>,
    /// Events triggered through the HTTP API.
    pub triggered: broadcast::Receiver<Arc<Fanned>>,
    /// Which session authorised which private channel, and when each ends.
    pub sessions: Arc<LiveSessions>,
}

/// What the receive task asks of the send task.
#[derive(Debug)]
enum Command {
    Send(String),
    Subscribe(String),
    Unsubscribe(String),
    Close(u16, &'static str),
}

/// Runs a connection until the client leaves, the connection is closed for a
/// protocol reason, or `disconnected` completes.
pub async fn serve<W, R, E>(
    sink: W,
    stream: R,
    connection: Connection,
    disconnected: impl Future<Output = ()> + Send + 'static,
) where
    W: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, E>> + Unpin + Send + 'static,
    E: Display + 'static,
{
    let Connection { app, socket_id, activity_timeout, subscription_timeout, events, triggered, sessions } =
        connection;
    let established = ServerMessage::ConnectionEstablished {
        socket_id: socket_id.clone(),
        activity_timeout: activity_timeout.as_secs(),
    };
    let (commands, queue) = mpsc::channel(64);
    let sender = Sender {
        socket_id: socket_id.clone(),
        events,
        triggered,
        channels: HashSet::new(),
        subscription_timeout,
        bare_since: Instant::now(),
        sessions,
        authorized: HashMap::new(),
        session_ends: FuturesUnordered::new(),
    };
    let mut send_task = tokio::spawn(sender.run(sink, queue, established.encode(), disconnected));
    let mut recv_task = tokio::spawn(receive(stream, commands, app, socket_id, activity_timeout));
    tokio::select! {
        _ = &mut send_task => recv_task.abort(),
        _ = &mut recv_task => {
            // The receive task dropped its end of the queue: the send task
            // writes what is left (a final error and close frame) and ends.
            if tokio::time::timeout(FLUSH_TIMEOUT, &mut send_task).await.is_err() {
                send_task.abort();
            }
        }
    }
}

/// Refuses a connection before it starts: `pusher:error` with `code`, then a close with `code`.
pub async fn refuse<W>(mut sink: W, code: u16, message: &'static str)
where
    W: Sink<Message> + Unpin,
{
    let error = ServerMessage::Error { code: Some(code), message: message.into() };
    if sink.send(Message::Text(error.encode().into())).await.is_ok() {
        let _ = close(&mut sink, code, message).await;
    }
}

async fn close<W: Sink<Message> + Unpin>(
    sink: &mut W,
    code: u16,
    reason: &'static str,
) -> Result<(), W::Error> {
    sink.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await
}

async fn receive<R, E>(
    mut stream: R,
    commands: mpsc::Sender<Command>,
    app: PusherApp,
    socket_id: String,
    activity_timeout: Duration,
) where
    R: Stream<Item = Result<Message, E>> + Unpin,
    E: Display,
{
    let start = Instant::now();
    let now_ms = || start.elapsed().as_millis() as u64;
    let mut activity = Activity::new(0);
    loop {
        let wait = match activity.check(activity_timeout, now_ms()) {
            Liveness::Fine { check_again_in } => check_again_in,
            Liveness::SendPing => {
                activity.record_ping_sent(now_ms());
                if commands.send(Command::Send(ServerMessage::Ping.encode())).await.is_err() {
                    return;
                }
                continue;
            }
            Liveness::Reconnect => {
                tracing::info!(socket_id, "closing a silent socket");
                let _ =
                    commands.send(Command::Close(CLOSE_PONG_NOT_RECEIVED, "Pong reply not received")).await;
                return;
            }
        };
        let message = match tokio::time::timeout(wait, stream.next()).await {
            Err(_silence) => continue,
            Ok(None) | Ok(Some(Ok(Message::Close(_)))) => return,
            Ok(Some(Err(e))) => {
                tracing::debug!(socket_id, error = %e, "socket read failed");
                return;
            }
            Ok(Some(Ok(message))) => message,
        };
        activity.record_activity(now_ms());
        let reply = match message {
            Message::Text(text) => protocol::on_text(&app, &socket_id, text.as_str()),
            Message::Binary(_) => Reply::Send(ServerMessage::Error {
                code: None,
                message: "Binary frames are not supported; send JSON text.".into(),
            }),
            // Answered by the WebSocket layer itself; they only count as activity.
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) => Reply::Nothing,
        };
        let command = match reply {
            Reply::Send(message) => Command::Send(message.encode()),
            Reply::Subscribe(channel) => Command::Subscribe(channel),
            Reply::Unsubscribe(channel) => Command::Unsubscribe(channel),
            Reply::Nothing => continue,
            Reply::Close { error, code, reason } => {
                if commands.send(Command::Send(error.encode())).await.is_ok() {
                    let _ = commands.send(Command::Close(code, reason)).await;
                }
                return;
            }
        };
        if commands.send(command).await.is_err() {
            return;
        }
    }
}

/// The send task's state: the socket's subscriptions and its event sources.
struct Sender {
    socket_id: String,
    events: broadcast::Receiver<EventEnvelope>,
    triggered: broadcast::Receiver<Arc<Fanned>>,
    channels: HashSet<String>,
    subscription_timeout: Duration,
    /// Since when the socket has held no channel (meaningful while it holds none).
    bare_since: Instant,
    sessions: Arc<LiveSessions>,
    /// Private channel → the session whose grant this socket claimed for it.
    authorized: HashMap<String, SessionId>,
    /// One per session in `authorized`: completes with its id when it ends.
    session_ends: FuturesUnordered<BoxFuture<'static, SessionId>>,
}

impl Sender {
    async fn run<W>(
        mut self,
        mut sink: W,
        mut queue: mpsc::Receiver<Command>,
        established: String,
        disconnected: impl Future<Output = ()>,
    ) where
        W: Sink<Message> + Unpin,
    {
        if sink.send(Message::Text(established.into())).await.is_err() {
            return;
        }
        tokio::pin!(disconnected);
        loop {
            let frames = tokio::select! {
                biased;
                () = &mut disconnected => {
                    let _ = close(&mut sink, CLOSE_GOING_AWAY, "Server shutting down").await;
                    return;
                }
                () = tokio::time::sleep_until(self.bare_since + self.subscription_timeout),
                    if self.channels.is_empty() =>
                {
                    tracing::info!(socket_id = self.socket_id, "closing a socket that holds no channel");
                    return refuse(sink, CLOSE_INACTIVE, "Closed after inactivity: subscribe to a channel").await;
                }
                Some(session) = self.session_ends.next(), if !self.session_ends.is_empty() => {
                    if self.session_ended(session) {
                        tracing::info!(socket_id = self.socket_id, "closing a socket whose session ended");
                        let error = ServerMessage::Error {
                            code: Some(ERROR_UNAUTHORIZED),
                            message: "Your session has ended; sign in again.".into(),
                        };
                        if sink.send(Message::Text(error.encode().into())).await.is_ok() {
                            let _ = close(&mut sink, ERROR_UNAUTHORIZED, "Session ended").await;
                        }
                        return;
                    }
                    Vec::new()
                }
                command = queue.recv() => match command {
                    None => return,
                    Some(Command::Close(code, reason)) => {
                        let _ = close(&mut sink, code, reason).await;
                        return;
                    }
                    Some(command) => self.apply(command).into_iter().map(Utf8Bytes::from).collect(),
                },
                event = self.events.recv() => match event {
                    Ok(envelope) => {
                        protocol::envelope_frame(&envelope, &self.channels).into_iter().map(Utf8Bytes::from).collect()
                    }
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(socket_id = self.socket_id, missed, "Pusher socket lagged; events skipped");
                        Vec::new()
                    }
                    Err(RecvError::Closed) => return,
                },
                event = self.triggered.recv() => match event {
                    Ok(event) => event.frames_for(&self.socket_id, &self.channels),
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(socket_id = self.socket_id, missed, "Pusher socket lagged; triggered events skipped");
                        Vec::new()
                    }
                    Err(RecvError::Closed) => return,
                },
            };
            for frame in frames {
                if sink.send(Message::Text(frame)).await.is_err() {
                    return;
                }
            }
        }
    }

    /// The frames one command from the receive task produces.
    fn apply(&mut self, command: Command) -> Vec<String> {
        match command {
            Command::Send(frame) => vec![frame],
            Command::Subscribe(channel) => {
                if self.channels.len() >= MAX_CHANNELS_PER_SOCKET && !self.channels.contains(&channel) {
                    let message = format!("A socket may hold at most {MAX_CHANNELS_PER_SOCKET} channels.");
                    return vec![ServerMessage::Error { code: None, message }.encode()];
                }
                if let Err(refused) = self.hold_grant(&channel) {
                    return vec![refused];
                }
                self.channels.insert(channel.clone());
                vec![ServerMessage::SubscriptionSucceeded { channel, presence: None }.encode()]
            }
            Command::Unsubscribe(channel) => {
                if self.channels.remove(&channel) && self.channels.is_empty() {
                    self.bare_since = Instant::now();
                }
                Vec::new()
            }
            // Handled by the caller, which must stop after closing.
            Command::Close(..) => Vec::new(),
        }
    }

    /// For a private channel (its signature already checked), claims the
    /// grant `/broadcasting/auth` recorded for this socket, and watches its
    /// session; the refusal to send if there is none (never asked for, too
    /// old, or its session has ended) and foreign signatures are not accepted.
    fn hold_grant(&mut self, channel: &str) -> Result<(), String> {
        if !matches!(ChannelKind::of(channel), ChannelKind::Private) || self.authorized.contains_key(channel)
        {
            return Ok(());
        }
        let Some(end) = self.sessions.claim(&self.socket_id, channel, std::time::Instant::now()) else {
            if self.sessions.accepts_foreign_channel_auth() {
                return Ok(());
            }
            tracing::info!(
                socket_id = self.socket_id,
                channel,
                "refused a subscription no live session asked for"
            );
            let message = "No signed-in session authorized this subscription; authorize it again.".into();
            return Err(ServerMessage::Error { code: Some(ERROR_UNAUTHORIZED), message }.encode());
        };
        let session = end.session_id();
        if !self.authorized.values().any(|held| *held == session) {
            self.session_ends.push(
                async move {
                    end.ended().await;
                    session
                }
                .boxed(),
            );
        }
        self.authorized.insert(channel.to_owned(), session);
        Ok(())
    }

    /// Drops what `session` authorised; whether the socket was still
    /// subscribed to any of it (then it must close).
    fn session_ended(&mut self, session: SessionId) -> bool {
        let ended: Vec<String> =
            self.authorized.iter().filter(|(_, held)| **held == session).map(|(c, _)| c.clone()).collect();
        let mut subscribed = false;
        for channel in ended {
            self.authorized.remove(&channel);
            subscribed |= self.channels.remove(&channel);
        }
        subscribed
    }
}

#[cfg(test)]
mod tests;
