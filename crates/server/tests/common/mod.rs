//! Shared test support: a fresh demo database, requests without a network
//! (`oneshot`), signing in, a real server on a free port, and a Pusher
//! protocol client over tokio-tungstenite.

#![allow(dead_code)] // each test file uses a different part

use std::{net::SocketAddr, time::Duration};

use axum::{
    body::Body,
    http::{HeaderMap, Method, Request, StatusCode, header},
};
use budtags_pusher::{ClientMessage, ServerMessage};
use budtags_server::{
    AppState, Limits, RealtimeSettings, Store, app, realtime::PusherApp, routes, serve_with,
};
use budtags_wire::{Me, PackageFilter};
use futures_util::{SinkExt, StreamExt};
use http_body_util::BodyExt;
use tokio::{net::TcpStream, sync::oneshot};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};
use tower::ServiceExt;

pub const LICENSE_ORG_1: &str = "C11-0000090-LIC";
pub const LICENSE_ORG_2: &str = "CML17-0000001";
/// How long any one expected thing may take to arrive.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A fresh demo database (40 packages per license) and its state.
pub fn state_with(settings: RealtimeSettings) -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("test.sqlite3"), 40).unwrap();
    (AppState::with_realtime(store, settings), dir)
}

pub fn state() -> (AppState, tempfile::TempDir) {
    state_with(RealtimeSettings::default())
}

/// The Pusher app `state` runs with: a random one per state unless a test
/// gives its own (`RealtimeSettings::with_app(PusherApp::random())`).
pub fn pusher_app(state: &AppState) -> PusherApp {
    state.realtime.settings.app.clone()
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Sends a request to the whole router (`/api` and the root realtime routes).
pub async fn call(state: &AppState, request: Request<Body>) -> Answer {
    let response = routes(state.clone()).oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes().to_vec(),
    }
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

pub fn post_json(uri: &str, body: serde_json::Value) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// A signed-in browser: its cookie (`budtags_session=…`) and who it is.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub me: Me,
}

impl Session {
    /// `request` with this session's cookie and, if `csrf`, its CSRF token.
    pub fn sign(&self, mut request: Request<Body>, csrf: bool) -> Request<Body> {
        let headers = request.headers_mut();
        headers.insert(header::COOKIE, self.cookie.parse().unwrap());
        if csrf {
            headers.insert("x-csrf-token", self.me.csrf_token.parse().unwrap());
        }
        request
    }
}

/// Signs in as a demo user (password `budtags`).
pub async fn login(state: &AppState, email: &str) -> Session {
    let answer =
        call(state, post_json("/api/login", serde_json::json!({"email": email, "password": "budtags"})))
            .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer.body));
    let set_cookie = answer.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    Session { cookie, me: answer.json() }
}

/// `POST /broadcasting/auth` as Echo sends it.
pub fn channel_auth_request(socket_id: &str, channel: &str) -> Request<Body> {
    Request::post("/broadcasting/auth")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("socket_id={socket_id}&channel_name={channel}")))
        .unwrap()
}

/// The first active package of a license, as its list shows it.
pub async fn first_package(state: &AppState, license: &str) -> i64 {
    let license = license.to_owned();
    let list = state
        .store
        .call(move |conn| Ok(budtags_server::db::packages::list(conn, &license, PackageFilter::Active)?))
        .await
        .unwrap();
    list[0].id
}

/// Changes a package's quantity in process, as an API change would (history, events).
pub async fn patch_quantity(state: &AppState, package_id: i64, quantity: f64) {
    budtags_server::packages::adjust_quantity(state, package_id, quantity, "Test").await.unwrap();
}

pub fn json_request(method: Method, uri: &str, body: serde_json::Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// Opens `/ws` (with `query`, e.g. `?lastEventId=0`) as `session`'s browser would: with its cookie.
pub async fn ws_as(server: &Server, session: &Session, query: &str) -> Socket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = server.ws_url(&format!("/ws{query}")).into_client_request().unwrap();
    request.headers_mut().insert(header::COOKIE, session.cookie.parse().unwrap());
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

/// The whole server on a free loopback port, stopped when dropped: [`app`]
/// with its compression and tracing layers, as `main` serves it (the demo
/// database's directory stands in for a `dist` without a built app).
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    _dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl Server {
    pub async fn start() -> Server {
        Self::start_with(RealtimeSettings::default()).await
    }

    pub async fn start_with(settings: RealtimeSettings) -> Server {
        Self::start_limited(settings, Limits::default()).await
    }

    /// With these connection limits (tests shorten the timeouts).
    pub async fn start_limited(settings: RealtimeSettings, limits: Limits) -> Server {
        let (state, dir) = state_with(settings);
        Self::serve(state, dir, limits).await
    }

    /// With these sign-in and session settings.
    pub async fn start_with_auth(auth: budtags_server::auth::AuthSettings) -> Server {
        let (state, dir) = state();
        Self::serve(state.with_auth(auth), dir, Limits::default()).await
    }

    /// Serves `state`, whose database lives in `dir`.
    pub async fn serve(state: AppState, dir: tempfile::TempDir, limits: Limits) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let events = state.events.clone();
        let shutdown = async move {
            let _ = stopped.await;
            events.disconnect_all();
        };
        tokio::spawn(serve_with(listener, app(state.clone(), dir.path()), shutdown, limits));
        Server { addr, state, _dir: dir, stop: Some(stop) }
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The next text frame other than a `/ws` heartbeat, within [`PATIENCE`].
pub async fn next_text(socket: &mut Socket) -> String {
    loop {
        let message = tokio::time::timeout(PATIENCE, socket.next())
            .await
            .expect("a frame in time")
            .expect("the socket is open")
            .expect("a readable frame");
        match message {
            Message::Text(text) if text.as_str() == budtags_wire::WS_HEARTBEAT => continue,
            Message::Text(text) => return text.to_string(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// The close code the server ends with, within [`PATIENCE`] (text frames before it are skipped).
pub async fn close_code(socket: &mut Socket) -> Option<u16> {
    loop {
        match tokio::time::timeout(PATIENCE, socket.next()).await.expect("a close in time") {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => continue,
            Some(Err(e)) => panic!("socket error instead of a close: {e}"),
            None => return None,
        }
    }
}

/// A Pusher protocol client on the built-in endpoint.
pub struct PusherClient {
    pub socket: Socket,
    pub socket_id: String,
}

impl PusherClient {
    pub async fn connect(server: &Server, key: &str) -> PusherClient {
        let url = server.ws_url(&format!("/app/{key}?protocol=7&client=js&version=8.4.0&flash=false"));
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let socket_id = match ServerMessage::decode(&next_text(&mut socket).await).unwrap() {
            ServerMessage::ConnectionEstablished { socket_id, activity_timeout } => {
                assert_eq!(activity_timeout, 30);
                socket_id
            }
            other => panic!("expected connection_established, got {other:?}"),
        };
        PusherClient { socket, socket_id }
    }

    pub async fn send_text(&mut self, text: String) {
        self.socket.send(Message::Text(text.into())).await.unwrap();
    }

    pub async fn send(&mut self, message: ClientMessage) {
        self.send_text(message.encode()).await;
    }

    pub async fn next(&mut self) -> ServerMessage {
        let text = next_text(&mut self.socket).await;
        ServerMessage::decode(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    /// Subscribes to `channel` with the signature `session` gets from `/broadcasting/auth`.
    pub async fn subscribe_as(&mut self, state: &AppState, session: &Session, channel: &str) {
        let answer = call(state, session.sign(channel_auth_request(&self.socket_id, channel), true)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer.body));
        let auth: budtags_pusher::AuthResponse = answer.json();
        self.send(ClientMessage::Subscribe {
            channel: channel.into(),
            auth: Some(auth.auth),
            channel_data: None,
        })
        .await;
        assert_eq!(
            self.next().await,
            ServerMessage::SubscriptionSucceeded { channel: channel.into(), presence: None }
        );
    }
}
