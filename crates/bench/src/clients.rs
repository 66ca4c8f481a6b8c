//! The subscribed clients: N WebSocket connections from this one process,
//! each speaking Pusher protocol 7 like pusher-js does (wait for
//! `pusher:connection_established`, subscribe, wait for
//! `pusher_internal:subscription_succeeded`), then one task per client that
//! stamps every event frame's arrival and answers the server's pings.

use std::{
    sync::Arc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use futures_util::{SinkExt, StreamExt, stream};
use serde_json::{Value, json};
use tokio::{net::TcpStream, task::JoinSet};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

use crate::record::{Recorder, Stamp};

/// The channel every client subscribes to: public on both servers, so no
/// per-client signature is needed and both do the same work.
pub const CHANNEL: &str = "bench";

/// How long one client may take to connect and subscribe.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// µs since the Unix epoch: the clock stamps are sent and received by.
pub fn now_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

/// The connected clients; their tasks end when this is dropped.
pub struct Clients {
    tasks: JoinSet<()>,
    pub connected: u32,
    pub failed: u32,
    /// The first failure, to show what went wrong.
    pub first_error: Option<String>,
    /// From the first connect to the last subscription confirmed.
    pub elapsed: Duration,
}

impl Clients {
    /// Clients whose connection is still open.
    pub fn open(&mut self) -> u32 {
        while self.tasks.try_join_next().is_some() {}
        self.tasks.len() as u32
    }
}

/// Opens `count` clients to `url`, `concurrency` at a time, each recording into `recorder`.
pub async fn connect(url: &str, count: u32, concurrency: u32, recorder: Arc<Recorder>) -> Clients {
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    let (mut connected, mut failed, mut first_error) = (0, 0, None);
    let mut attempts = stream::iter(0..count)
        .map(|_| async { tokio::time::timeout(CONNECT_TIMEOUT, open(url)).await })
        .buffer_unordered(concurrency as usize);
    while let Some(result) = attempts.next().await {
        match result {
            Ok(Ok(socket)) => {
                connected += 1;
                tasks.spawn(listen(socket, recorder.clone()));
            }
            Ok(Err(e)) => {
                failed += 1;
                first_error.get_or_insert(e);
            }
            Err(_) => {
                failed += 1;
                first_error.get_or_insert_with(|| format!("no subscription within {CONNECT_TIMEOUT:?}"));
            }
        }
    }
    Clients { tasks, connected, failed, first_error, elapsed: started.elapsed() }
}

/// One client, connected and subscribed.
async fn open(url: &str) -> Result<Socket, String> {
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.map_err(|e| format!("connect: {e}"))?;
    expect_event(&mut socket, "pusher:connection_established").await?;
    let subscribe = json!({"event": "pusher:subscribe", "data": {"channel": CHANNEL, "auth": ""}});
    socket.send(Message::text(subscribe.to_string())).await.map_err(|e| format!("subscribe: {e}"))?;
    expect_event(&mut socket, "pusher_internal:subscription_succeeded").await?;
    Ok(socket)
}

/// Reads frames until one is the event `name`; a `pusher:error` first is a failure.
async fn expect_event(socket: &mut Socket, name: &str) -> Result<(), String> {
    while let Some(message) = socket.next().await {
        let text = match message.map_err(|e| format!("waiting for {name}: {e}"))? {
            Message::Text(text) => text,
            Message::Close(frame) => return Err(format!("closed while waiting for {name}: {frame:?}")),
            _ => continue,
        };
        let frame: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
        match frame["event"].as_str() {
            Some(event) if event == name => return Ok(()),
            Some("pusher:error") => return Err(format!("waiting for {name}: {text}")),
            _ => {}
        }
    }
    Err(format!("closed while waiting for {name}"))
}

/// A client's life after subscribing: stamp events, answer pings.
async fn listen(mut socket: Socket, recorder: Arc<Recorder>) {
    while let Some(Ok(message)) = socket.next().await {
        let received = now_us();
        let Message::Text(text) = message else { continue };
        if let Some(stamp) = Stamp::find_in(&text) {
            recorder.record(&stamp, received);
        } else if text.contains("\"pusher:ping\"") {
            let pong = Message::text(r#"{"event":"pusher:pong","data":{}}"#);
            if socket.send(pong).await.is_err() {
                return;
            }
        }
    }
}
