//! What every browser test needs: the reference server on a free port with a
//! temporary database, and headless Chromium driven through ChromeDriver.
#![allow(dead_code)] // each test binary uses its own subset

pub mod bundle;
pub mod flows;
pub mod proxy;
pub mod restartable;

use std::{
    net::TcpListener as StdListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use axum::response::IntoResponse;
use budtags_server::{AppState, Store, app, serve};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::{net::TcpListener, sync::oneshot};

/// Packages per license in test databases: enough to scroll, quick to seed.
pub const PACKAGES_PER_LICENSE: usize = 300;

/// The built web app. The test command builds it first; a missing build is a
/// failure with directions, never a skipped test.
pub fn dist() -> PathBuf {
    let dist = std::env::var_os("BUDTAGS_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dist"));
    assert!(
        dist.join("index.html").is_file(),
        "no built web app in {}: run `cargo xtask test` (it builds the web app first)",
        dist.display()
    );
    dist
}

/// One request the server answered: path (with query) and status.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub status: u16,
}

/// What the server sent for one request.
#[derive(Debug)]
pub struct Sent {
    pub path: String,
    /// Body bytes so far (a stream keeps adding).
    pub body: Arc<AtomicU64>,
    /// Status line and headers as the middleware sees them, serialized as
    /// HTTP/1.1 would: an estimate, since hyper adds `date`, and
    /// `content-length` or `transfer-encoding` itself when it writes.
    pub headers: u64,
}

/// Bytes sent, split into bodies and (estimated) headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResponseBytes {
    pub body: u64,
    pub headers: u64,
}

pub struct TestServer {
    pub url: String,
    pub state: AppState,
    /// Every request, in order, as the server saw it.
    pub requests: Arc<Mutex<Vec<Seen>>>,
    /// While true, the live endpoints (SSE `/api/events`, Pusher `/app/…`, `/ws`)
    /// answer 503: no live connection can be made.
    pub block_events: Arc<AtomicBool>,
    /// Bytes sent per request, in order: path (with query) and response size.
    /// See [`TestServer::response_bytes`].
    pub sent: Arc<Mutex<Vec<Sent>>>,
    /// Requests whose path starts with one of these answer `503` (a server
    /// in trouble, injected): see [`TestServer::fail`].
    pub failing: Arc<Mutex<Vec<String>>>,
    /// Requests whose path starts with one of these get no answer for a
    /// minute (a server that hangs): see [`TestServer::stall`].
    pub stalling: Arc<Mutex<Vec<String>>>,
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(budtags_server::realtime::settings::RealtimeSettings::default()).await
    }

    /// A server that tells the app to use the given realtime transport.
    pub async fn start_with(settings: budtags_server::realtime::settings::RealtimeSettings) -> Self {
        Self::start_seeded(settings, PACKAGES_PER_LICENSE).await
    }

    /// A server whose every license starts with `packages` packages (e.g.
    /// 10,000 to measure a large list).
    pub async fn start_with_packages(packages: usize) -> Self {
        Self::start_seeded(budtags_server::realtime::settings::RealtimeSettings::default(), packages).await
    }

    async fn start_seeded(
        settings: budtags_server::realtime::settings::RealtimeSettings,
        packages_per_license: usize,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("test.sqlite3"), packages_per_license).unwrap();
        let state = AppState::with_realtime(store, settings);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let block_events = Arc::new(AtomicBool::new(false));
        let failing = Arc::new(Mutex::new(Vec::<String>::new()));
        let stalling = Arc::new(Mutex::new(Vec::<String>::new()));
        let (seen, block, fail, stall) =
            (requests.clone(), block_events.clone(), failing.clone(), stalling.clone());
        let router = app(state.clone(), &dist()).layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let (seen, block, fail, stall) = (seen.clone(), block.clone(), fail.clone(), stall.clone());
                async move {
                    let path = req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
                    let failed = fail.lock().unwrap().iter().any(|prefix| path.starts_with(prefix.as_str()));
                    if stall.lock().unwrap().iter().any(|prefix| path.starts_with(prefix.as_str())) {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                    }
                    let response = if block.load(Ordering::SeqCst) && is_live_endpoint(&path) {
                        axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response()
                    } else if failed {
                        let body = r#"{"error":{"code":"internal","message":"Injected failure."}}"#;
                        (axum::http::StatusCode::SERVICE_UNAVAILABLE, body).into_response()
                    } else {
                        next.run(req).await
                    };
                    seen.lock().unwrap().push(Seen { path, status: response.status().as_u16() });
                    response
                }
            },
        ));
        let sent = Arc::new(Mutex::new(Vec::new()));
        let router = count_bytes_sent(router, sent.clone());
        tokio::spawn(serve(listener, router, async move {
            let _ = stopped.await;
        }));
        Self { url, state, requests, block_events, sent, failing, stalling, stop: Some(stop), _dir: dir }
    }

    /// Makes requests whose path starts with `prefix` answer `503` until [`TestServer::heal`].
    pub fn fail(&self, prefix: &str) {
        self.failing.lock().unwrap().push(prefix.to_owned());
    }

    /// Makes requests whose path starts with `prefix` hang for a minute
    /// (until [`TestServer::heal`], for requests made after it).
    pub fn stall(&self, prefix: &str) {
        self.stalling.lock().unwrap().push(prefix.to_owned());
    }

    /// Ends every injected failure and stall.
    pub fn heal(&self) {
        self.failing.lock().unwrap().clear();
        self.stalling.lock().unwrap().clear();
    }

    /// The ids of a license's active packages, in the server's order.
    pub async fn active_ids(&self, license: &'static str) -> Vec<i64> {
        let filter = budtags_wire::PackageFilter::Active;
        let list =
            self.state.store.call(move |c| Ok(budtags_server::db::packages::list(c, license, filter)?));
        list.await.unwrap().into_iter().map(|p| p.id).collect()
    }

    /// Requests so far whose path starts with `prefix`.
    pub fn seen(&self, prefix: &str) -> Vec<Seen> {
        self.requests.lock().unwrap().iter().filter(|s| s.path.starts_with(prefix)).cloned().collect()
    }

    /// Every request so far (a count, cheaper than cloning [`TestServer::seen`]).
    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// Response bytes sent so far to requests whose path starts with `prefix`
    /// (`""` for all). Bodies are counted exactly as they went out (after the
    /// server's compression; an open event stream adds its events and
    /// keep-alives as they flow); headers are an estimate (see [`Sent`]).
    pub fn response_bytes(&self, prefix: &str) -> ResponseBytes {
        let sent = self.sent.lock().unwrap();
        let mut total = ResponseBytes::default();
        for s in sent.iter().filter(|s| s.path.starts_with(prefix)) {
            total.body += s.body.load(Ordering::SeqCst);
            total.headers += s.headers;
        }
        total
    }

    /// Sets a package's quantity on the server, as another person's
    /// `PATCH /api/packages/{id}` would (history and live events included).
    pub async fn set_quantity(&self, id: i64, quantity: f64) {
        budtags_server::packages::adjust_quantity(&self.state, id, quantity, "Test operator")
            .await
            .unwrap_or_else(|e| panic!("set package {id} to {quantity}: {e}"));
    }

    /// Ends every session on the server, as expiry would.
    pub async fn end_all_sessions(&self) {
        self.state.store.call(|c| Ok(c.execute("DELETE FROM sessions", [])?)).await.unwrap();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Records in `sent` what `router` sends for each request: the status line
/// and headers (estimated) at once, and the body as it is polled out. The
/// body is passed through unchanged, size hint included, so the wire format
/// (e.g. `Content-Length` versus chunked) stays what it was.
fn count_bytes_sent(router: axum::Router, sent: Arc<Mutex<Vec<Sent>>>) -> axum::Router {
    router.layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let sent = sent.clone();
            async move {
                let path = req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
                let (parts, inner) = next.run(req).await.into_parts();
                // `HTTP/1.1 200 OK\r\n`: 15 bytes plus the reason phrase.
                let status_line = 15 + parts.status.canonical_reason().map_or(0, str::len);
                let headers: usize =
                    parts.headers.iter().map(|(n, v)| n.as_str().len() + 2 + v.len() + 2).sum();
                let body = Arc::new(AtomicU64::new(0));
                let headers = (status_line + headers + 2) as u64;
                sent.lock().unwrap().push(Sent { path, body: body.clone(), headers });
                let counted = axum::body::Body::new(CountedBody { inner, total: body });
                axum::response::Response::from_parts(parts, counted)
            }
        },
    ))
}

/// A response body that counts the data bytes it yields.
struct CountedBody {
    inner: axum::body::Body,
    total: Arc<AtomicU64>,
}

impl http_body::Body for CountedBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_frame(cx);
        if let std::task::Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            self.total.fetch_add(data.len() as u64, Ordering::SeqCst);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Polls `done` every 25 ms until it holds; panics after `timeout` naming `what`.
pub async fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out after {timeout:?}: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// One Chrome DevTools Protocol command, sent through ChromeDriver's
/// `POST /session/{id}/goog/cdp/execute` to the current tab.
#[derive(Debug)]
struct CdpCommand {
    cmd: String,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for CdpCommand {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        let session = session_id.expect("a CDP command needs a WebDriver session");
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _url: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// The endpoints a live connection is made to (not the replay endpoint).
fn is_live_endpoint(path: &str) -> bool {
    (path.starts_with("/api/events") && !path.starts_with("/api/events/replay"))
        || path.starts_with("/app/")
        || path.starts_with("/ws")
}

/// Headless Chromium behind its own ChromeDriver; both stop on drop.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Browser {
    pub async fn start() -> Self {
        let port = free_port();
        let driver_path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {driver_path}: {e} (run `cargo xtask test` to install it)")
            });
        let profile = tempfile::tempdir().unwrap();
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new()).capabilities(caps.clone()).connect(&url).await {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => {
                    panic!("cannot open Chromium through ChromeDriver: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Self { client, driver, _profile: profile }
    }

    pub async fn text(&self, css: &str) -> Option<String> {
        let el = self.client.find(Locator::Css(css)).await.ok()?;
        el.text().await.ok()
    }

    /// Waits until `css` matches an element whose text satisfies `pred`; returns that text.
    pub async fn wait_text(&self, css: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.text(css).await;
            if let Some(text) = &text
                && pred(text)
            {
                return text.clone();
            }
            if Instant::now() > deadline {
                panic!("timed out after {timeout:?} waiting on `{css}`; last text: {text:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Signs in as a demo user (password `budtags`) from the open page, as the
    /// app's own fetches would: the session cookie lands in this browser.
    pub async fn sign_in(&self, email: &str) {
        let login = format!(
            "const done = arguments[0];
             fetch('/api/login', {{ method: 'POST', headers: {{ 'Content-Type': 'application/json' }},
               body: JSON.stringify({{ email: '{email}', password: 'budtags' }}) }}).then(r => done(r.status));"
        );
        let status = self.client.execute_async(&login, vec![]).await.unwrap();
        assert_eq!(status, json!(200), "demo sign-in as {email}");
    }

    /// Signs in as `email` without loading the app (from a small JSON page of
    /// the same site), then opens `path` (e.g. `/labels`). The login form
    /// itself is exercised by `tests/signin.rs`.
    pub async fn open_as(&self, server: &TestServer, email: &str, path: &str) {
        self.client.goto(&format!("{}/api/realtime/config", server.url)).await.unwrap();
        self.sign_in(email).await;
        self.client.goto(&format!("{}{path}", server.url)).await.unwrap();
    }

    /// Waits until `script` returns `expected`; fails with `what` after `timeout`.
    pub async fn wait_js(&self, script: &str, expected: serde_json::Value, timeout: Duration, what: &str) {
        let deadline = Instant::now() + timeout;
        while self.eval(script).await != expected {
            assert!(Instant::now() < deadline, "timed out after {timeout:?}: {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Runs a Chrome DevTools Protocol command on the current tab; returns its result.
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> serde_json::Value {
        let command = CdpCommand { cmd: cmd.into(), params };
        self.client.issue_cmd(command).await.unwrap_or_else(|e| panic!("CDP `{cmd}` failed: {e}"))
    }

    /// Takes the tab off the network (or puts it back) as DevTools' "Offline"
    /// does: every request fails at once, `navigator.onLine` follows and the
    /// page gets `offline` / `online` events.
    pub async fn set_offline(&self, offline: bool) {
        self.cdp("Network.enable", json!({})).await;
        let conditions = json!({
            "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
        });
        self.cdp("Network.emulateNetworkConditions", conditions).await;
    }

    /// Opens `page` with `localStorage["budtags.pollScale"] = scale` (every
    /// poll interval and stale time multiplied by it) and waits for the count.
    /// Signs in as the read-only demo viewer first.
    pub async fn open_with_poll_scale(&self, page: &str, scale: f64) {
        let origin = url::Url::parse(page).unwrap().origin().ascii_serialization();
        self.client.goto(&format!("{origin}/api/realtime/config")).await.unwrap();
        self.sign_in("viewer@greenleaf.test").await;
        self.client.goto(page).await.unwrap();
        self.eval(&format!("localStorage.setItem('budtags.pollScale', '{scale}'); return null")).await;
        self.client.goto(page).await.unwrap();
        self.wait_text("[data-testid=count]", Duration::from_secs(20), |t| !t.is_empty()).await;
    }

    /// Makes the page report `hidden` / `visible` and fires `visibilitychange`,
    /// as the browser does when a person switches tabs.
    pub async fn set_visibility(&self, state: &str) {
        let script = format!(
            "Object.defineProperty(document, 'visibilityState', {{ value: '{state}', configurable: true }});
             Object.defineProperty(document, 'hidden', {{ value: {}, configurable: true }});
             document.dispatchEvent(new Event('visibilitychange')); return null",
            state == "hidden"
        );
        self.eval(&script).await;
    }

    /// Saves a PNG of the page as `name`.png under `target/screenshots`, or
    /// under `docs/screenshots` when `BUDTAGS_UPDATE_SCREENSHOTS=1`.
    pub async fn screenshot(&self, name: &str) {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let dir = if std::env::var("BUDTAGS_UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
            root.join("docs/screenshots")
        } else {
            root.join("target/screenshots")
        };
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
