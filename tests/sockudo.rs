//! Our Pusher client against a real Pusher-protocol server built from the
//! registries: Sockudo (crates.io) carries the sockets, our server publishes
//! through Sockudo's signed HTTP API and signs the private channels.
//!
//! Sockudo takes a long while to build, so this runs on request:
//! `cargo xtask test-sockudo` installs it (and protoc with protobuf's include
//! files) and runs this test.
//! The default test command does not, so a registry hiccup building a large
//! third-party server cannot turn CI red.

mod support;

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use budtags_server::realtime::{Broadcast, ExternalServer, PusherApp, RealtimeSettings};
use budtags_wire::RealtimeDriver;
use support::{Browser, TestServer};

const LICENSE: &str = "C11-0000090-LIC";
const WAIT: Duration = Duration::from_secs(30);

struct Sockudo {
    child: Child,
    port: u16,
}

impl Sockudo {
    /// Sockudo with `app` as its one app: the operator shares our key and secret with it.
    fn start(app: &PusherApp) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let metrics = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let binary = std::env::var("SOCKUDO").unwrap_or_else(|_| "sockudo".into());
        let child = Command::new(&binary)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("METRICS_PORT", metrics.to_string())
            .env("METRICS_HOST", "127.0.0.1")
            .env("SOCKUDO_DEFAULT_APP_ID", &app.id)
            .env("SOCKUDO_DEFAULT_APP_KEY", &app.key)
            .env("SOCKUDO_DEFAULT_APP_SECRET", &app.secret)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e} (run `cargo xtask test-sockudo`)"));
        let deadline = Instant::now() + WAIT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "Sockudo did not listen on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, port }
    }
}

impl Drop for Sockudo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a Sockudo binary: run `cargo xtask test-sockudo`"]
async fn our_client_receives_changes_through_sockudo() {
    let app = PusherApp::random();
    let sockudo = Sockudo::start(&app);
    let external = ExternalServer { host: "127.0.0.1".into(), port: sockudo.port, tls: false };
    let settings = RealtimeSettings::default()
        .with_app(app)
        .with_driver(RealtimeDriver::Pusher)
        .with_broadcast(Broadcast::External(external));
    let server = TestServer::start_with(settings).await;
    let browser = Browser::start().await;

    browser.open_as(&server, "operator@greenleaf.test", &format!("/licenses/{LICENSE}/packages")).await;
    browser.wait_text("[data-testid=connection]", WAIT, |t| t == "Live").await;
    assert!(server.seen("/app/").is_empty(), "the page connected to Sockudo, not to our server");
    assert!(server.seen("/broadcasting/auth").iter().any(|s| s.status == 200), "channels signed by us");

    let id = server.active_ids(LICENSE).await[1];
    let cell = format!("tr[data-id='{id}'] [data-testid=quantity]");
    browser.wait_text(&cell, WAIT, |t| !t.is_empty()).await;
    server.set_quantity(id, 31.0).await;
    browser.wait_text(&cell, Duration::from_secs(10), |t| t.starts_with("31 ")).await;
    browser.close().await;
}
