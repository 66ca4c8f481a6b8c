//! `cargo xtask`: the project's two commands, and the tool set-up they share.
//!
//! - `cargo xtask run [server flags…]`: build the web app (release) and start
//!   the reference server with demo data and live demo activity.
//! - `cargo xtask build`: only the release web build, into `dist/`.
//! - `cargo xtask test`: format check, clippy, the release web build, and every
//!   test, browser tests in headless Chromium included.
//! - `cargo xtask bench [browser bench flags…]`: every benchmark of
//!   `docs/performance.md` in one run: `bench-browser`, then `bench-fanout`.
//! - `cargo xtask bench-browser [bench flags…]`: the release web build, then
//!   the browser benchmark in headless Chromium (`benches/browser`).
//! - `cargo xtask bench-fanout [bench flags…]`: the server fan-out benchmark,
//!   our built-in Pusher endpoint beside Sockudo (`docs/performance.md`).
//!
//! Both first install what is missing (the wasm32 target, wasm-split-cli,
//! wasm-bindgen-cli at the Cargo.lock version, and for tests Chromium and
//! ChromeDriver) and skip what is present. No dependencies: this crate must
//! build in seconds on a fresh machine.

mod tools;
mod web;

use std::{
    env,
    path::{Path, PathBuf},
    process::{Command, ExitCode},
    time::Instant,
};

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("build") => tools::ensure(false).and_then(|()| build_web()),
        Some("test") => test(),
        Some("test-sockudo") => test_sockudo(),
        Some("bench") => bench_browser(&args[1..]).and_then(|()| bench_fanout(&[])),
        Some("bench-browser") => bench_browser(&args[1..]),
        Some("bench-fanout") => bench_fanout(&args[1..]),
        Some("setup") => tools::ensure(true),
        _ => {
            eprintln!(
                "usage: cargo xtask <run [server flags…] | build | test | test-sockudo | bench [flags…] | bench-browser [flags…] | bench-fanout [flags…] | setup>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (the parent of this crate).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn run(server_args: &[String]) -> Result<(), String> {
    tools::ensure(false)?;
    build_web()?;
    let mut cmd = cargo();
    cmd.args(["run", "--release", "--package", "budtags-server", "--"]);
    cmd.arg("--dist").arg(root().join("dist"));
    cmd.args(server_args);
    step("start the server (Ctrl-C stops it)", &mut cmd)
}

fn test() -> Result<(), String> {
    let started = Instant::now();
    tools::ensure(true)?;
    step("format", cargo().args(["fmt", "--all", "--check"]))?;
    step(
        "clippy (native)",
        cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
    )?;
    step(
        "clippy (wasm)",
        cargo().args([
            "clippy",
            "--package",
            "budtags-web",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    build_web()?;
    let mut tests = cargo();
    tests.args(["test", "--workspace"]).env("BUDTAGS_DIST", root().join("dist"));
    step("tests (unit, API and headless Chromium)", &mut tests)?;
    println!("\nAll checks passed in {:.0?}.", started.elapsed());
    Ok(())
}

/// Our Pusher client against Sockudo, a Pusher-protocol server from crates.io
/// (installed once, with protoc and protobuf's include files from apt). Kept out
/// of `test`: the build is long.
fn test_sockudo() -> Result<(), String> {
    tools::ensure(true)?;
    let sockudo = tools::ensure_sockudo()?;
    build_web()?;
    let mut cmd = cargo();
    cmd.args(["test", "--package", "budtags-web", "--test", "sockudo", "--", "--ignored"])
        .env("BUDTAGS_DIST", root().join("dist"))
        .env("SOCKUDO", sockudo);
    step("our Pusher client against Sockudo", &mut cmd)
}

/// The browser benchmark on a fresh release build of the web app: bundle
/// sizes, first render, live patch latency and memory, measured in headless
/// Chromium (`benches/browser`). Prints a table and JSON, asserts nothing.
fn bench_browser(bench_args: &[String]) -> Result<(), String> {
    tools::ensure(true)?;
    build_web()?;
    let mut cmd = cargo();
    cmd.args(["bench", "--package", "budtags-web", "--bench", "browser", "--"])
        .args(bench_args)
        .env("BUDTAGS_DIST", root().join("dist"));
    step("browser benchmark", &mut cmd)
}

/// The server fan-out benchmark: release builds of the server and the bench
/// (separately, so the server is the very binary `cargo xtask run` starts),
/// Sockudo installed when missing, then `budtags-bench fanout`. It prints a
/// table and JSON (also written to `target/bench/fanout.json` unless
/// `--json` is given) and asserts nothing.
fn bench_fanout(bench_args: &[String]) -> Result<(), String> {
    let sockudo = tools::ensure_sockudo()?;
    step("build the server (release)", cargo().args(["build", "--release", "--package", "budtags-server"]))?;
    let mut cmd = cargo();
    cmd.args(["run", "--release", "--package", "budtags-bench", "--", "fanout"]);
    if !bench_args.iter().any(|a| a == "--sockudo" || a.starts_with("--sockudo=") || a == "--no-sockudo") {
        cmd.arg("--sockudo").arg(&sockudo);
    }
    if !bench_args.iter().any(|a| a == "--json" || a.starts_with("--json=")) {
        let dir = root().join("target").join("bench");
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        cmd.arg("--json").arg(dir.join("fanout.json"));
    }
    cmd.args(bench_args);
    step("server fan-out benchmark", &mut cmd)
}

/// The release web build into `dist/` ([`web`]).
fn build_web() -> Result<(), String> {
    web::build()
}

pub fn cargo() -> Command {
    let mut cmd = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// Runs one named step, echoing it, and fails with its name.
pub fn step(name: &str, cmd: &mut Command) -> Result<(), String> {
    println!("\n==> {name}");
    let started = Instant::now();
    let status = cmd.status().map_err(|e| format!("{name}: cannot start {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        println!("    ({name}: {:.1?})", started.elapsed());
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}
