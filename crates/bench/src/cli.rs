//! The command line: `budtags-bench fanout [flags]`, and the few decisions
//! made from the flags alone.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use clap::{Args, Parser, Subcommand};

use crate::server::Kind;

#[derive(Debug, Parser)]
#[command(name = "budtags-bench", about = "BudTags benchmarks: they print figures and assert nothing")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One event fanned out to N subscribed Pusher clients: our built-in
    /// endpoint beside Sockudo, each a separate process on 127.0.0.1.
    Fanout(FanoutArgs),
}

#[derive(Debug, Clone, Args)]
pub struct FanoutArgs {
    /// Numbers of concurrent subscribed clients, one run per server each.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000", value_parser = clap::value_parser!(u32).range(1..=15_000))]
    pub clients: Vec<u32>,

    /// Runs per server and client count, the servers' order alternating
    /// (ours first, then Sockudo first, …) so neither always gets the quieter minute.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub repeat: u32,

    /// Measured fan-out rounds per run (after one warm-up round).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    pub events: u32,

    /// Sustained phase: target trigger rates (events/s), tried in order,
    /// each for --step-secs, stopping after the first step that fails.
    #[arg(long, value_delimiter = ',', default_value = "10,25,50,100,200,400,800", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate: Vec<u32>,

    /// Seconds of triggering per sustained step.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub step_secs: u64,

    /// The client count the sustained phase runs at (default: the smallest of --clients).
    #[arg(long)]
    pub sustain_clients: Option<u32>,

    /// Skip the sustained phase.
    #[arg(long)]
    pub no_sustained: bool,

    /// Trigger requests the sustained phase keeps in flight at most.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub in_flight: u32,

    /// The budtags-server binary (default: target/release/budtags-server of this workspace).
    #[arg(long)]
    pub server: Option<PathBuf>,

    /// The Sockudo binary (default: ~/.cargo/bin/sockudo when it exists).
    #[arg(long)]
    pub sockudo: Option<PathBuf>,

    /// Run our server only.
    #[arg(long, conflicts_with = "sockudo")]
    pub no_sockudo: bool,

    /// Clients connecting at the same time.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=5_000))]
    pub connect_concurrency: u32,

    /// How long one round may take before its missing deliveries count as missed.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub round_timeout_secs: u64,

    /// Also write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

impl FanoutArgs {
    /// The client count of the sustained phase, if it runs.
    pub fn sustain_at(&self) -> Option<u32> {
        if self.no_sustained {
            return None;
        }
        self.sustain_clients.or_else(|| self.clients.iter().copied().min())
    }

    pub fn round_timeout(&self) -> Duration {
        Duration::from_secs(self.round_timeout_secs)
    }

    pub fn step_duration(&self) -> Duration {
        Duration::from_secs(self.step_secs)
    }
}

/// The servers' order in repetition `rep`: ours first on even ones.
pub fn server_order(rep: u32, with_sockudo: bool) -> Vec<Kind> {
    match (with_sockudo, rep % 2) {
        (false, _) => vec![Kind::Budtags],
        (true, 0) => vec![Kind::Budtags, Kind::Sockudo],
        (true, _) => vec![Kind::Sockudo, Kind::Budtags],
    }
}

/// The Sockudo binary to compare with: the one named, else `default` when it
/// exists, else none (our server runs alone and the report says so).
pub fn sockudo_binary(
    named: Option<&Path>,
    no_sockudo: bool,
    default: Option<PathBuf>,
    exists: impl Fn(&Path) -> bool,
) -> Option<PathBuf> {
    if no_sockudo {
        return None;
    }
    match named {
        Some(path) => Some(path.to_path_buf()),
        None => default.filter(|path| exists(path)),
    }
}

/// `~/.cargo/bin/sockudo` (or under `$CARGO_HOME`), where `cargo install sockudo` puts it.
pub fn default_sockudo() -> Option<PathBuf> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))?;
    Some(cargo_home.join("bin").join("sockudo"))
}

/// `target/release/budtags-server` of this workspace (or under `$CARGO_TARGET_DIR`).
pub fn default_server() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..").join("target"));
    target.join("release").join("budtags-server")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fanout(args: &[&str]) -> Result<FanoutArgs, clap::Error> {
        let mut argv = vec!["budtags-bench", "fanout"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).map(|cli| match cli.command {
            Command::Fanout(args) => args,
        })
    }

    #[test]
    fn defaults_are_1k_and_10k_clients_50_rounds() {
        let args = fanout(&[]).unwrap();
        assert_eq!(args.clients, vec![1_000, 10_000]);
        assert_eq!(args.events, 50);
        assert_eq!(args.sustain_at(), Some(1_000));
        assert_eq!(args.round_timeout(), Duration::from_secs(10));
        assert_eq!(args.rate.first(), Some(&10));
        assert_eq!((args.sockudo, args.json, args.no_sockudo), (None, None, false));
    }

    #[test]
    fn lists_and_paths_parse() {
        let args = fanout(&[
            "--clients",
            "100,2000",
            "--events",
            "5",
            "--rate",
            "10,20",
            "--sockudo",
            "/opt/sockudo",
            "--json",
            "out.json",
            "--sustain-clients",
            "2000",
        ])
        .unwrap();
        assert_eq!(args.clients, vec![100, 2_000]);
        assert_eq!((args.events, args.rate.clone()), (5, vec![10, 20]));
        assert_eq!(args.sockudo.as_deref(), Some(Path::new("/opt/sockudo")));
        assert_eq!(args.json.as_deref(), Some(Path::new("out.json")));
        assert_eq!(args.sustain_at(), Some(2_000));
        assert_eq!(fanout(&["--no-sustained"]).unwrap().sustain_at(), None);
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in [
            &["--clients", "0"][..],
            &["--clients", "ten"],
            &["--clients", "20000"],
            &["--events", "0"],
            &["--rate", "0"],
            &["--no-sockudo", "--sockudo", "x"],
        ] {
            assert!(fanout(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_order_alternates_between_repetitions() {
        assert_eq!(server_order(0, true), vec![Kind::Budtags, Kind::Sockudo]);
        assert_eq!(server_order(1, true), vec![Kind::Sockudo, Kind::Budtags]);
        assert_eq!(server_order(2, true), vec![Kind::Budtags, Kind::Sockudo]);
        assert_eq!(server_order(1, false), vec![Kind::Budtags]);
        assert_eq!(fanout(&["--repeat", "3"]).unwrap().repeat, 3);
        assert!(fanout(&["--repeat", "0"]).is_err());
    }

    #[test]
    fn sockudo_is_the_named_one_else_the_installed_one() {
        let default = Some(PathBuf::from("/home/me/.cargo/bin/sockudo"));
        let installed = |_: &Path| true;
        let missing = |_: &Path| false;
        let named = Path::new("/opt/sockudo");
        assert_eq!(sockudo_binary(Some(named), false, default.clone(), missing), Some(named.into()));
        assert_eq!(sockudo_binary(None, false, default.clone(), installed), default);
        assert_eq!(sockudo_binary(None, false, default.clone(), missing), None);
        assert_eq!(sockudo_binary(None, true, default, installed), None);
    }
}
