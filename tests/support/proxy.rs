//! A TCP proxy in front of the test server that can freeze the live
//! connections passing through it: bytes stop flowing both ways while both
//! sockets stay open, as on a half-open connection through a NAT or a proxy.
//! Connections made after a freeze pass normally. Stops with the test.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream, tcp::OwnedReadHalf, tcp::OwnedWriteHalf},
    task::JoinHandle,
};

pub struct FreezingProxy {
    pub url: String,
    /// One flag per live connection (SSE `/api/events`, `/ws`) seen so far.
    live: Arc<Mutex<Vec<Arc<AtomicBool>>>>,
    accept: JoinHandle<()>,
}

impl FreezingProxy {
    /// Listens on a free loopback port and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let live = Arc::new(Mutex::new(Vec::new()));
        let seen = live.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let seen = seen.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else { return };
                    let frozen = Arc::new(AtomicBool::new(false));
                    let (client_read, client_write) = client.into_split();
                    let (server_read, server_write) = server.into_split();
                    let up = tokio::spawn(pipe(client_read, server_write, frozen.clone(), Some(seen)));
                    let down = tokio::spawn(pipe(server_read, client_write, frozen, None));
                    let _ = tokio::join!(up, down);
                });
            }
        });
        Self { url, live, accept }
    }

    /// Freezes every live connection open now; returns how many there were.
    pub fn freeze_live(&self) -> usize {
        let live = self.live.lock().unwrap();
        for flag in live.iter() {
            flag.store(true, Ordering::SeqCst);
        }
        live.len()
    }

    /// Live connections seen so far (frozen or not).
    pub fn live_connections(&self) -> usize {
        self.live.lock().unwrap().len()
    }
}

impl Drop for FreezingProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Copies `from` → `to` until either side closes; once `frozen`, drops what
/// it reads and forwards nothing more (the sockets stay open). The client →
/// server direction (`classify` set) registers a live connection by its
/// request line.
async fn pipe(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    frozen: Arc<AtomicBool>,
    mut classify: Option<Arc<Mutex<Vec<Arc<AtomicBool>>>>>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        // Any request on the connection (it may be kept alive from an
        // earlier fetch) can make it a live one.
        let head = String::from_utf8_lossy(&buf[..n.min(64)]);
        let live_request = head.starts_with("GET /api/events") && !head.starts_with("GET /api/events/replay")
            || head.starts_with("GET /ws");
        if live_request && let Some(live) = classify.take() {
            live.lock().unwrap().push(frozen.clone());
        }
        if frozen.load(Ordering::SeqCst) {
            continue; // half-open: what arrives goes nowhere
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    if !frozen.load(Ordering::SeqCst) {
        let _ = to.shutdown().await;
    }
}
