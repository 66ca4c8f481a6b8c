//! Installing the tools the build and the browser tests need, only when missing.

use std::{
    env, fs,
    path::PathBuf,
    process::{Command, Stdio},
};

use crate::{root, step};

const TRUNK_REQ: &str = "~0.21";
const TRUNK_PREFIX: &str = "trunk 0.21.";

/// Ensures every tool is present; `browser` adds Chromium and ChromeDriver.
pub fn ensure(browser: bool) -> Result<(), String> {
    ensure_wasm_target()?;
    ensure_trunk()?;
    ensure_wasm_bindgen()?;
    ensure_wasm_opt()?;
    if browser {
        ensure_chromium()?;
    }
    Ok(())
}

/// What `program args…` prints, or `None` when it cannot run.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn cargo_bin(name: &str) -> PathBuf {
    let home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin").join(name)
}

/// The trunk binary: cargo's bin directory first, so a stray newer trunk on PATH is not used.
pub fn trunk() -> PathBuf {
    let installed = cargo_bin("trunk");
    if installed.exists() { installed } else { PathBuf::from("trunk") }
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    step(
        "install the wasm32 target",
        Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
    )
}

fn ensure_trunk() -> Result<(), String> {
    let version = output(&trunk().to_string_lossy(), &["--version"]).unwrap_or_default();
    if version.starts_with(TRUNK_PREFIX) {
        return Ok(());
    }
    // trunk 0.22 needs a newer rustc than this toolchain; 0.21 with its lock file builds.
    step(
        "install trunk 0.21 (about 7 minutes, once)",
        Command::new("cargo").args(["install", "trunk", "--version", TRUNK_REQ, "--locked"]),
    )
}

/// The `wasm-bindgen` version in Cargo.lock: the CLI must match it exactly.
pub fn locked_wasm_bindgen() -> Result<String, String> {
    let lock =
        fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|v| v.trim().strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry".into())
}

fn ensure_wasm_bindgen() -> Result<(), String> {
    let wanted = locked_wasm_bindgen()?;
    let have = output(&cargo_bin("wasm-bindgen").to_string_lossy(), &["--version"])
        .or_else(|| output("wasm-bindgen", &["--version"]))
        .unwrap_or_default();
    if have == format!("wasm-bindgen {wanted}") {
        return Ok(());
    }
    // `--locked` fails for this crate here; the version pin is what matters.
    step(
        &format!("install wasm-bindgen-cli {wanted} (about 3 minutes, once)"),
        Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &wanted, "--force"]),
    )
}

/// binaryen's release on npm: Debian's wasm-opt 108 produces modules that do
/// not start in current Chromium; 132 works.
const BINARYEN_VERSION: &str = "132.0.0";

/// Where binaryen's `wasm-opt` lives once installed (prepended to trunk's PATH).
pub fn binaryen_bin() -> PathBuf {
    root().join("target").join("tools").join(format!("binaryen-{BINARYEN_VERSION}")).join("bin")
}

/// binaryen from the npm registry (its tools are Node scripts around the
/// WebAssembly build): `npm pack`, then unpack into `target/tools`. Node and
/// npm come from apt when missing.
fn ensure_wasm_opt() -> Result<(), String> {
    let bin = binaryen_bin();
    let wasm_opt = bin.join("wasm-opt");
    let wanted = format!("wasm-opt version {}", BINARYEN_VERSION.split('.').next().unwrap_or_default());
    let version = output(&wasm_opt.to_string_lossy(), &["--version"]).unwrap_or_default();
    if version.starts_with(&wanted) {
        return Ok(());
    }
    if output("npm", &["--version"]).is_none() {
        apt_install("Node.js and npm (for binaryen's wasm-opt)", &["nodejs", "npm"])?;
    }
    let dir = bin.parent().ok_or("binaryen directory has no parent")?.to_path_buf();
    let tools = dir.parent().ok_or("tools directory has no parent")?.to_path_buf();
    fs::create_dir_all(&tools).map_err(|e| format!("cannot create {}: {e}", tools.display()))?;
    step(
        &format!("download binaryen {BINARYEN_VERSION} (wasm-opt) from npm"),
        Command::new("npm").args(["pack", &format!("binaryen@{BINARYEN_VERSION}")]).current_dir(&tools),
    )?;
    let tarball = tools.join(format!("binaryen-{BINARYEN_VERSION}.tgz"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    step(
        "unpack binaryen",
        Command::new("tar").arg("xzf").arg(&tarball).args(["--strip-components", "1", "-C"]).arg(&dir),
    )?;
    let _ = fs::remove_file(&tarball);
    match output(&wasm_opt.to_string_lossy(), &["--version"]) {
        Some(v) if v.starts_with(&wanted) => Ok(()),
        other => Err(format!("binaryen installed, but `{} --version` said {other:?}", wasm_opt.display())),
    }
}

fn ensure_chromium() -> Result<(), String> {
    if output("chromium", &["--version"]).is_some() && output("chromedriver", &["--version"]).is_some() {
        return Ok(());
    }
    apt_install("Chromium and ChromeDriver", &["chromium", "chromium-driver"])
}

/// The Sockudo binary (crates.io), installed with protoc when missing.
pub fn ensure_sockudo() -> Result<PathBuf, String> {
    let installed = cargo_bin("sockudo");
    if installed.exists() {
        return Ok(installed);
    }
    if output("protoc", &["--version"]).is_none() {
        apt_install("protoc (for Sockudo)", &["protobuf-compiler", "pkg-config", "libssl-dev"])?;
    }
    step(
        "install Sockudo from crates.io (long, once)",
        Command::new("cargo").args(["install", "sockudo", "--version", SOCKUDO_VERSION]),
    )?;
    Ok(installed)
}

const SOCKUDO_VERSION: &str = "5.2.0";

/// `apt-get update` then `apt-get install` (through sudo unless root).
fn apt_install(what: &str, packages: &[&str]) -> Result<(), String> {
    let root_user = output("id", &["-u"]).as_deref() == Some("0");
    let apt = |args: &[&str]| {
        let mut cmd = if root_user { Command::new("apt-get") } else { Command::new("sudo") };
        if !root_user {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    step("apt-get update", &mut apt(&["update"]))?;
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend_from_slice(packages);
    step(&format!("install {what}"), &mut apt(&args))
}
