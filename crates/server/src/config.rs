//! Command-line flags; every flag also reads an environment variable.

use std::{path::PathBuf, time::Duration};

use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(name = "budtags-server", about = "BudTags reference server")]
pub struct Config {
    /// Address to bind; loopback by default.
    #[arg(long, env = "BUDTAGS_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "BUDTAGS_PORT", default_value_t = 8080)]
    pub port: u16,

    /// SQLite database file; created with demo data on first start.
    #[arg(long, env = "BUDTAGS_DATABASE", default_value = "budtags.sqlite3")]
    pub database: PathBuf,

    /// Directory holding the built web app (`trunk build` output).
    #[arg(long, env = "BUDTAGS_DIST", default_value = "dist")]
    pub dist: PathBuf,

    /// Turn the live demo activity off.
    #[arg(long, env = "BUDTAGS_NO_SIMULATOR")]
    pub no_simulator: bool,

    /// Mean time between simulated changes, in milliseconds.
    #[arg(long, env = "BUDTAGS_SIMULATOR_INTERVAL_MS", default_value_t = 2000)]
    pub simulator_interval_ms: u64,

    /// Packages per license in freshly created demo data.
    #[arg(long, env = "BUDTAGS_PACKAGES_PER_LICENSE", default_value_t = 2400)]
    pub packages_per_license: usize,
}

impl Config {
    pub fn simulator_interval(&self) -> Duration {
        Duration::from_millis(self.simulator_interval_ms.max(10))
    }
}
