//! What every browser test needs: the reference server on a free port with a
//! temporary database, and headless Chromium driven through ChromeDriver.
#![allow(dead_code)] // each test binary uses its own subset

use std::{
    net::TcpListener as StdListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
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
        "no built web app in {}: run `cargo xtask test` (it builds with trunk first)",
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

pub struct TestServer {
    pub url: String,
    pub state: AppState,
    /// Every request, in order, as the server saw it.
    pub requests: Arc<Mutex<Vec<Seen>>>,
    /// While true, `/api/events` answers 503: the live connection cannot be made.
    pub block_events: Arc<AtomicBool>,
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("test.sqlite3"), PACKAGES_PER_LICENSE).unwrap();
        let state = AppState::new(store);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let block_events = Arc::new(AtomicBool::new(false));
        let (seen, block) = (requests.clone(), block_events.clone());
        let router = app(state.clone(), &dist()).layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let (seen, block) = (seen.clone(), block.clone());
                async move {
                    let path = req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
                    let response = if block.load(Ordering::SeqCst) && path.starts_with("/api/events") {
                        axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response()
                    } else {
                        next.run(req).await
                    };
                    seen.lock().unwrap().push(Seen { path, status: response.status().as_u16() });
                    response
                }
            },
        ));
        tokio::spawn(serve(listener, router, async move {
            let _ = stopped.await;
        }));
        Self { url, state, requests, block_events, stop: Some(stop), _dir: dir }
    }

    /// Requests so far whose path starts with `prefix`.
    pub fn seen(&self, prefix: &str) -> Vec<Seen> {
        self.requests.lock().unwrap().iter().filter(|s| s.path.starts_with(prefix)).cloned().collect()
    }

    /// `PATCH /api/packages/{id}` with a new quantity, as another client would.
    pub async fn set_quantity(&self, id: i64, quantity: f64) {
        let status =
            http_patch(&format!("{}/api/packages/{id}", self.url), &json!({ "Quantity": quantity })).await;
        assert_eq!(status, 200, "PATCH package {id}");
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A minimal HTTP/1.1 PATCH with a JSON body; returns the status code.
async fn http_patch(url: &str, body: &serde_json::Value) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let body = body.to_string();
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!(
        "PATCH {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0)
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

    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap()
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
