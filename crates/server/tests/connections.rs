//! What a client may hold, and for how long, against a real server on a
//! loopback port with short limits: idle and slowloris connections are
//! closed, a keep-alive connection is closed once idle, a body dripped
//! slowly is cut off, a connection over the cap is refused, and real
//! requests keep working meanwhile.

mod common;

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use budtags_server::{Limits, RealtimeSettings};
use common::Server;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const HEADER_TIMEOUT: Duration = Duration::from_secs(1);
/// How long past a timeout the server may take to close.
const SLACK: Duration = Duration::from_millis(1_500);

fn short(max_connections: u32) -> Limits {
    Limits {
        max_connections,
        header_read_timeout: HEADER_TIMEOUT,
        request_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_millis(500),
        drain_timeout: Duration::from_secs(1),
    }
}

/// One whole request on a fresh connection; the status line and the rest.
async fn request(addr: SocketAddr, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut answer)).await.unwrap().unwrap();
    let (status, rest) = answer.split_once("\r\n").unwrap_or((&answer, ""));
    (status.to_owned(), rest.to_owned())
}

/// How long until the server closed `stream`, reading (and, when `drip`,
/// writing a byte of a request head every 300 ms) for at most `within`.
async fn closed_after(mut stream: TcpStream, drip: bool, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    let head = b"GET /api/me HTTP/1.1\r\nhost: x\r\nx-slow: ";
    let mut sent = 0;
    let mut buf = [0u8; 1024];
    while start.elapsed() < within {
        if drip {
            let byte = head.get(sent).copied().unwrap_or(b'a');
            if stream.write_all(&[byte]).await.is_err() {
                return Some(start.elapsed());
            }
            sent += 1;
        }
        match tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buf)).await {
            Err(_still_open) => continue,
            Ok(Ok(0) | Err(_)) => return Some(start.elapsed()),
            // A 408 or similar before closing: keep reading to the end.
            Ok(Ok(_)) => continue,
        }
    }
    None
}

#[tokio::test]
async fn idle_and_slowloris_connections_are_closed_while_requests_still_work() {
    let server = Server::start_limited(RealtimeSettings::default(), short(1_000)).await;
    let mut clients = Vec::new();
    for n in 0..100 {
        let stream = TcpStream::connect(server.addr).await.unwrap();
        clients.push(tokio::spawn(closed_after(stream, n % 2 == 1, HEADER_TIMEOUT + SLACK)));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = request(server.addr, "/api/me").await;
    assert!(status.contains(" 401 "), "a real request is answered meanwhile: {status}");
    assert!(body.contains(r#""code":"unauthorized""#), "{body}");

    let mut still_open = (0, 0);
    for (n, client) in clients.into_iter().enumerate() {
        if client.await.unwrap().is_none() {
            if n % 2 == 1 { still_open.1 += 1 } else { still_open.0 += 1 }
        }
    }
    println!(
        "still open {:?} after the timeout: idle {}, slowloris {}",
        HEADER_TIMEOUT + SLACK,
        still_open.0,
        still_open.1
    );
    assert_eq!(still_open, (0, 0), "(idle, slowloris) connections still open");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = Server::start_limited(RealtimeSettings::default(), short(100)).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = format!("GET /api/me HTTP/1.1\r\nhost: {}\r\n\r\n", server.addr);
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 401"));
    // Kept alive after the answer, then closed once idle for the header timeout.
    let closed = closed_after(stream, false, HEADER_TIMEOUT + SLACK).await;
    assert!(closed.is_some_and(|after| after >= HEADER_TIMEOUT / 2), "{closed:?}");
}

#[tokio::test]
async fn a_body_dripped_slowly_is_cut_off() {
    let server = Server::start_limited(RealtimeSettings::default(), short(100)).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /api/login HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{{",
        server.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let start = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    // A byte every 200 ms: each gap is under the body timeout, the whole is not.
    while start.elapsed() < Duration::from_secs(4) {
        let _ = stream.write_all(b" ").await;
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
        if !answer.is_empty() {
            break;
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408") || answer.starts_with("HTTP/1.1 400"), "{answer:?}");
    assert!(start.elapsed() < Duration::from_secs(3), "cut off after {:?}", start.elapsed());
}

#[tokio::test]
async fn a_connection_over_the_cap_is_refused_and_the_others_still_work() {
    let limits = Limits { header_read_timeout: Duration::from_secs(10), ..short(3) };
    let server = Server::start_limited(RealtimeSettings::default(), limits).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(server.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    let mut over = TcpStream::connect(server.addr).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(2), over.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection over the cap is closed at once");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 503"), "{answer}");
    println!("over the cap: {:?}", answer.lines().next());

    // The connections within the cap still work.
    let stream = &mut held[0];
    let head = format!("GET /api/me HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n", server.addr);
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut answer)).await.unwrap().unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");

    // Its place is free again once it closed.
    drop(held.remove(0));
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let (status, _) = request(server.addr, "/api/me").await;
        if status.contains(" 401 ") {
            break;
        }
        assert!(Instant::now() < deadline, "no place freed: {status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn handlers_see_the_peer_address() {
    use axum::{Router, extract::ConnectInfo, routing::get};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/peer", get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.to_string() }));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(budtags_server::serve(listener, app, async move {
        let _ = stopped.await;
    }));
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let local = stream.local_addr().unwrap();
    stream.write_all(b"GET /peer HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.ends_with(&local.to_string()), "{answer}");
    // Shutdown stops accepting and drains.
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), served).await.unwrap().unwrap().unwrap();
}
