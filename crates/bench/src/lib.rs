//! BudTags benchmarks: programs that measure and print figures (a table and
//! JSON), and assert nothing. Speed goals are checked by reading their output,
//! never by timed tests.
//!
//! `budtags-bench fanout` (`cargo xtask bench-fanout`): the built-in Pusher
//! endpoint of `budtags-server` holding N subscribed WebSocket clients, one
//! event fanned out to all of them, beside Sockudo (a Pusher-protocol server
//! from crates.io) in the same run. Method and results: `docs/performance.md`.
//!
//! # Layout
//! - [`cli`]: the flags, and the few decisions made from them alone.
//! - [`server`]: the servers under test as child processes (killed on drop),
//!   their resident memory and CPU time from `/proc`.
//! - [`clients`]: N Pusher clients in this process, one task each.
//! - [`trigger`]: the signed HTTP trigger API (`POST /apps/{id}/events`).
//! - [`record`]: pure latency bookkeeping: the stamp an event carries, the
//!   per-round counts, missed deliveries.
//! - [`stats`]: a lock-free latency histogram and its percentiles.
//! - [`fanout`]: one run after another: connect, rounds, sustained steps.
//! - [`report`]: the results, as a table and as JSON.

pub mod cli;
pub mod clients;
pub mod fanout;
pub mod record;
pub mod report;
pub mod server;
pub mod stats;
pub mod trigger;

/// Why the bench could not measure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Setup(String),
    #[error("trigger request failed: {0}")]
    Trigger(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// `/proc/loadavg` now (zeros where it cannot be read).
pub fn loadavg() -> [f64; 3] {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| report::parse_loadavg(&text))
        .unwrap_or_default()
}

/// Raises this process's open-file limit to its hard limit (the servers it
/// starts inherit it): 10,000 clients need 10,000 descriptors on each side.
/// Returns the (soft, hard) limit now in force.
pub fn raise_open_files() -> std::io::Result<(u64, u64)> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
    }
    Ok((limit.rlim_cur, limit.rlim_max))
}
