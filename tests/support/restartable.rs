//! A reference server that can be killed and started again on the same
//! database and port, as a crashed and restarted process would be: it runs
//! on its own Tokio runtime in its own thread, and a kill drops that runtime
//! with every connection and task on it at once (no graceful goodbye).

use std::{net::SocketAddr, path::PathBuf, sync::mpsc, thread::JoinHandle, time::Duration};

use budtags_server::{AppState, RealtimeSettings, Store, app, serve};
use tokio::sync::oneshot;

use super::{PACKAGES_PER_LICENSE, dist};

pub struct RestartableServer {
    pub url: String,
    addr: SocketAddr,
    database: PathBuf,
    settings: RealtimeSettings,
    running: Option<Running>,
    _dir: tempfile::TempDir,
}

struct Running {
    state: AppState,
    kill: oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

impl RestartableServer {
    pub fn start(settings: RealtimeSettings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let mut server = Self {
            url: format!("http://{addr}"),
            addr,
            database: dir.path().join("test.sqlite3"),
            settings,
            running: None,
            _dir: dir,
        };
        server.restart();
        server
    }

    /// The running server's state (a new one after each restart).
    pub fn state(&self) -> &AppState {
        &self.running.as_ref().expect("the server runs").state
    }

    /// Kills the server: its runtime, connections and tasks are dropped.
    pub fn kill(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = running.kill.send(());
            running.thread.join().unwrap();
        }
    }

    /// Starts the server (again) on the same database and port.
    pub fn restart(&mut self) {
        self.kill();
        let (database, settings, addr) = (self.database.clone(), self.settings.clone(), self.addr);
        let (ready, started) = mpsc::channel();
        let (kill, killed) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(async move {
                let store = Store::open(&database, PACKAGES_PER_LICENSE).unwrap();
                let state = AppState::with_realtime(store, settings);
                // The old socket may linger a moment after a kill.
                let listener = loop {
                    match tokio::net::TcpListener::bind(addr).await {
                        Ok(listener) => break listener,
                        Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                    }
                };
                ready.send(state.clone()).unwrap();
                let router = app(state, &dist());
                tokio::select! {
                    _ = serve(listener, router, std::future::pending()) => {}
                    _ = killed => {}
                }
            });
            runtime.shutdown_timeout(Duration::from_millis(100));
        });
        let state = started.recv_timeout(Duration::from_secs(30)).expect("the server started");
        self.running = Some(Running { state, kill, thread });
    }

    /// Sets a package's quantity, as another person's edit would (events included).
    pub async fn set_quantity(&self, id: i64, quantity: f64) {
        budtags_server::packages::adjust_quantity(self.state(), id, quantity, "Test operator")
            .await
            .unwrap_or_else(|e| panic!("set package {id} to {quantity}: {e}"));
    }
}

impl Drop for RestartableServer {
    fn drop(&mut self) {
        self.kill();
    }
}
