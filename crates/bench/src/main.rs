//! `budtags-bench fanout [flags]`: see the library's documentation and
//! `docs/performance.md`.

use std::{
    process::ExitCode,
    time::{SystemTime, UNIX_EPOCH},
};

use budtags_bench::{
    Error,
    cli::{self, Cli, Command, FanoutArgs},
    fanout::{self, Plan},
    report,
    server::App,
};
use clap::Parser;

fn main() -> ExitCode {
    let Cli { command: Command::Fanout(args) } = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("budtags-bench: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(fanout_command(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("budtags-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn fanout_command(args: FanoutArgs) -> Result<(), Error> {
    let (soft, hard) = budtags_bench::raise_open_files()?;
    let needed = u64::from(args.clients.iter().copied().max().unwrap_or(0)) + 256;
    if soft < needed {
        return Err(Error::Setup(format!("{needed} open files needed, the limit is {soft} (hard {hard})")));
    }
    let server = args.server.clone().unwrap_or_else(cli::default_server);
    if !server.is_file() {
        return Err(Error::Setup(format!(
            "no server binary at {} (cargo build --release -p budtags-server)",
            server.display()
        )));
    }
    let sockudo =
        cli::sockudo_binary(args.sockudo.as_deref(), args.no_sockudo, cli::default_sockudo(), |p| {
            p.is_file()
        });
    let json = args.json.clone();
    let plan = Plan { args, server, sockudo, app: App::default() };
    let started_at = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let load = budtags_bench::loadavg();
    eprintln!(
        "budtags-bench fanout: open files {soft}, load {:.2} {:.2} {:.2}, server {}, sockudo {}",
        load[0],
        load[1],
        load[2],
        plan.server.display(),
        plan.sockudo.as_ref().map_or("(none)".into(), |p| p.display().to_string())
    );
    let report = fanout::run(&plan, started_at, load).await?;

    println!(
        "\nServer fan-out (one event to every subscribed client; latency = trigger sent -> frame read)\n"
    );
    println!("{}", report::table(&report.runs));
    if report.medians.iter().any(|m| m.runs > 1) {
        println!("\nMedians over the repetitions:\n\n{}", report::median_table(&report.medians));
    }
    let steps = report::steps_table(&report.runs);
    if !steps.is_empty() {
        println!(
            "\nSustained steps (p99 <= {} ms, no loss, >= 95% of the target rate):\n{steps}",
            report::P99_GOAL_MS
        );
    }
    println!(
        "\nLoad average: {:.2} {:.2} {:.2} before, {:.2} {:.2} {:.2} after ({} cores).",
        report.load_before[0],
        report.load_before[1],
        report.load_before[2],
        report.load_after[0],
        report.load_after[1],
        report.load_after[2],
        report.cores
    );
    let text = serde_json::to_string_pretty(&report).map_err(|e| Error::Setup(e.to_string()))?;
    println!("\n{}", serde_json::to_string(&report).map_err(|e| Error::Setup(e.to_string()))?);
    if let Some(path) = json {
        std::fs::write(&path, text)?;
        eprintln!("JSON written to {}", path.display());
    }
    Ok(())
}
