//! The servers under test, each a separate process on 127.0.0.1 and a free
//! port, so its resident memory can be read from `/proc/{pid}/status`. A
//! [`ServerProcess`] kills its child when dropped, on success and on error.

use std::{
    fs,
    net::{TcpListener, TcpStream},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde::Serialize;

use crate::Error;

/// How long a server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The Pusher app both servers are configured with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    pub id: String,
    pub key: String,
    pub secret: String,
}

impl Default for App {
    fn default() -> Self {
        Self { id: "bench".into(), key: "bench-key".into(), secret: "bench-secret".into() }
    }
}

/// Which server a run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `budtags-server --realtime pusher`: the built-in endpoint.
    Budtags,
    /// Sockudo from crates.io, a Pusher-protocol server.
    Sockudo,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Budtags => "budtags",
            Kind::Sockudo => "sockudo",
        }
    }
}

/// A running server; killed (SIGKILL) and reaped when dropped.
pub struct ServerProcess {
    pub kind: Kind,
    pub port: u16,
    child: Child,
    /// Holds the database and the log; removed after the child is gone.
    dir: tempfile::TempDir,
}

impl ServerProcess {
    /// `budtags-server` with a fresh database in a temporary directory, no
    /// demo activity, and the Pusher endpoint on.
    pub fn start_budtags(binary: &Path, app: &App) -> Result<Self, Error> {
        let dir = temp_dir()?;
        let port = free_port()?;
        let mut command = Command::new(binary);
        command
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--database"])
            .arg(dir.path().join("bench.sqlite3"))
            .arg("--dist")
            .arg(dir.path().join("no-web-app"))
            .args(["--no-simulator", "--realtime", "pusher", "--packages-per-license", "10"])
            .args(["--pusher-app-id", &app.id, "--pusher-key", &app.key, "--pusher-secret", &app.secret]);
        Self::spawn(Kind::Budtags, command, port, dir)
    }

    /// Sockudo with one app from the environment, in-memory everything, and
    /// what would refuse a benchmark turned off: the per-IP connection and
    /// API rate limits (20 connections / 100 requests a minute), the default
    /// app's 100-connection and 100-events/s quotas, and the metrics server.
    pub fn start_sockudo(binary: &Path, app: &App) -> Result<Self, Error> {
        let dir = temp_dir()?;
        let port = free_port()?;
        let mut command = Command::new(binary);
        command
            .current_dir(dir.path())
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("METRICS_ENABLED", "false")
            .env("RATE_LIMITER_ENABLED", "false")
            .env("QUEUE_DRIVER", "none")
            .env("SOCKUDO_DEFAULT_APP_ID", &app.id)
            .env("SOCKUDO_DEFAULT_APP_KEY", &app.key)
            .env("SOCKUDO_DEFAULT_APP_SECRET", &app.secret)
            .env("SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS", "1000000")
            .env("SOCKUDO_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SECOND", "1000000");
        Self::spawn(Kind::Sockudo, command, port, dir)
    }

    fn spawn(kind: Kind, mut command: Command, port: u16, dir: tempfile::TempDir) -> Result<Self, Error> {
        let log = fs::File::create(dir.path().join("server.log"))?;
        // Both log warnings and errors only: per-connection logging is not what is measured.
        command.env("RUST_LOG", "warn").stdin(Stdio::null()).stdout(Stdio::null()).stderr(log);
        // Drop kills the child on success and on error; this also covers the
        // bench dying without unwinding (a signal, or a panic under
        // `panic = "abort"`): the kernel kills the child with its parent.
        // SAFETY: prctl is async-signal-safe and touches only the child.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
        let child = command
            .spawn()
            .map_err(|e| Error::Setup(format!("cannot start {:?}: {e}", command.get_program())))?;
        let mut server = Self { kind, port, child, dir };
        server.wait_listening()?;
        Ok(server)
    }

    /// Blocks the calling thread: nothing else runs while a server starts.
    fn wait_listening(&mut self) -> Result<(), Error> {
        let deadline = Instant::now() + START_TIMEOUT;
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(status) = self.child.try_wait()? {
                return Err(Error::Setup(format!(
                    "{} exited ({status}) before listening; its log:\n{}",
                    self.kind.name(),
                    self.log_tail()
                )));
            }
            if Instant::now() > deadline {
                return Err(Error::Setup(format!("{} did not listen on {}", self.kind.name(), self.port)));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory now, in bytes.
    pub fn rss(&self) -> Result<u64, Error> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        parse_vm_rss(&status).ok_or_else(|| Error::Setup("no VmRSS in /proc/PID/status".into()))
    }

    /// User + system CPU time used so far.
    pub fn cpu_time(&self) -> Result<Duration, Error> {
        cpu_time(&self.pid().to_string())
    }

    /// Whether the server is still running (it may have crashed under load).
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The last lines the server logged (warnings and errors).
    pub fn log_tail(&self) -> String {
        let log = fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// How many lines the server logged.
    pub fn log_lines(&self) -> usize {
        fs::read_to_string(self.log_path()).map_or(0, |log| log.lines().count())
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// User + system CPU time process `pid` (or `self`) has used so far.
pub fn cpu_time(pid: &str) -> Result<Duration, Error> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let ticks = parse_cpu_ticks(&stat).ok_or_else(|| Error::Setup("bad /proc/PID/stat".into()))?;
    // SAFETY: sysconf only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Ok(Duration::from_micros(ticks * 1_000_000 / per_second))
}

fn temp_dir() -> Result<tempfile::TempDir, Error> {
    Ok(tempfile::Builder::new().prefix("budtags-bench-").tempdir()?)
}

/// A port nothing listens on right now.
fn free_port() -> Result<u16, Error> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `VmRSS` of a `/proc/{pid}/status` text, in bytes.
pub fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let mut words = line["VmRSS:".len()..].split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    match words.next()? {
        "kB" => Some(value * 1024),
        _ => None,
    }
}

/// `utime + stime` (clock ticks) of a `/proc/{pid}/stat` line. The command
/// name in parentheses may hold spaces, so fields are counted after its `)`.
pub fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    // Field 3 (state) is the first after the name; utime and stime are fields 14 and 15.
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_rss_is_read_in_bytes() {
        let status = "Name:\tbudtags-server\nVmPeak:\t  900000 kB\nVmRSS:\t   12345 kB\nRssAnon:\t 1 kB\n";
        assert_eq!(parse_vm_rss(status), Some(12_345 * 1024));
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
        assert_eq!(parse_vm_rss("VmRSS:\t 12 MB\n"), None);
    }

    #[test]
    fn cpu_ticks_skip_a_command_name_with_spaces() {
        let stat = "4242 (tokio runtime) S 1 4242 4242 0 -1 4194560 2000 0 0 0 150 25 0 0 20 0 9 0 1 2 3";
        assert_eq!(parse_cpu_ticks(stat), Some(175));
        assert_eq!(parse_cpu_ticks("garbage"), None);
    }
}
