//! Installing the tools the build and the browser tests need, only when missing.

use std::{
    env,
    ffi::OsStr,
    fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use crate::{root, step};

/// wasm-split's CLI, the version that matches leptos' `wasm_split_helpers` 0.2.
const WASM_SPLIT_VERSION: &str = "0.2.4";

/// Ensures every tool is present; `browser` adds Chromium and ChromeDriver.
pub fn ensure(browser: bool) -> Result<(), String> {
    ensure_wasm_target()?;
    ensure_wasm_split()?;
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

/// The splitter: cargo's bin directory first (where `ensure` installs it).
pub fn wasm_split() -> PathBuf {
    installed_or_path("wasm-split-cli")
}

/// wasm-bindgen at the Cargo.lock version (see [`ensure`]).
pub fn wasm_bindgen() -> PathBuf {
    installed_or_path("wasm-bindgen")
}

fn installed_or_path(name: &str) -> PathBuf {
    let installed = cargo_bin(name);
    if installed.exists() { installed } else { PathBuf::from(name) }
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

fn ensure_wasm_split() -> Result<(), String> {
    // The CLI has no `--version`; cargo knows what it installed.
    let installed = output("cargo", &["install", "--list"]).unwrap_or_default();
    if installed.contains(&format!("wasm_split_cli_support v{WASM_SPLIT_VERSION}:")) && wasm_split().exists()
    {
        return Ok(());
    }
    step(
        &format!("install wasm-split-cli {WASM_SPLIT_VERSION} (about 2 minutes, once)"),
        Command::new("cargo").args([
            "install",
            "wasm_split_cli_support",
            "--version",
            WASM_SPLIT_VERSION,
            "--features",
            "build-binary",
            "--locked",
        ]),
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

/// Where binaryen's `wasm-opt` lives once installed.
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

/// The Sockudo binary (crates.io), installed when missing, after what its
/// build needs (`ensure_sockudo_build_deps`).
pub fn ensure_sockudo() -> Result<PathBuf, String> {
    let installed = cargo_bin("sockudo");
    if installed.exists() {
        return Ok(installed);
    }
    ensure_sockudo_build_deps()?;
    step(
        &format!("install Sockudo {SOCKUDO_VERSION} from crates.io (long, once)"),
        Command::new("cargo").args(["install", "sockudo", "--version", SOCKUDO_VERSION]),
    )
    .map_err(|e| {
        format!(
            "{e}: `cargo install sockudo --version {SOCKUDO_VERSION}` did not build; \
             cargo's first `error` above says why"
        )
    })?;
    if installed.exists() {
        Ok(installed)
    } else {
        Err(format!("cargo installed Sockudo, but not as {}", installed.display()))
    }
}

const SOCKUDO_VERSION: &str = "5.2.0";

/// What Sockudo's build needs from the system, as Debian packages: protoc,
/// protobuf's well-known types (`google/protobuf/*.proto`: Debian ships them
/// in `libprotobuf-dev`, only a recommendation of `protobuf-compiler`, which
/// `--no-install-recommends` skips), and OpenSSL for `openssl-sys`.
const SOCKUDO_BUILD_PACKAGES: &[&str] = &["protobuf-compiler", "libprotobuf-dev", "pkg-config", "libssl-dev"];

/// One of the well-known types: `metrics-exporter-tcp`'s `event.proto`
/// imports it, and its build script fails when protoc cannot find it.
const WELL_KNOWN_TYPE: &str = "google/protobuf/timestamp.proto";

/// protoc, the well-known types and OpenSSL's headers, installed from apt
/// when one is missing.
fn ensure_sockudo_build_deps() -> Result<(), String> {
    if sockudo_build_missing().is_none() {
        return Ok(());
    }
    let hint = format!(
        "Sockudo's build needs protoc, protobuf's include files and OpenSSL's: install {} \
         (Debian/Ubuntu package names), or set PROTOC to a protoc binary and \
         PROTOC_INCLUDE to the directory holding {WELL_KNOWN_TYPE}",
        SOCKUDO_BUILD_PACKAGES.join(" ")
    );
    apt_install("protoc, protobuf's include files and OpenSSL's (for Sockudo)", SOCKUDO_BUILD_PACKAGES)
        .map_err(|e| format!("{e}. {hint}"))?;
    match sockudo_build_missing() {
        None => Ok(()),
        Some(missing) => Err(format!("after apt-get, still {missing}. {hint}")),
    }
}

/// What Sockudo's build would miss, or `None`: the protobuf part, then
/// OpenSSL as `openssl-sys` finds it (`OPENSSL_DIR`, else pkg-config).
fn sockudo_build_missing() -> Option<String> {
    protobuf_missing().or_else(|| {
        let found =
            env::var_os("OPENSSL_DIR").is_some() || output("pkg-config", &["--exists", "openssl"]).is_some();
        (!found).then(|| {
            "`pkg-config --exists openssl` fails (pkg-config or OpenSSL's headers missing)".to_owned()
        })
    })
}

/// What is missing for protoc to compile Sockudo's protos, or `None`. The
/// protoc is the one prost-build runs (`PROTOC`, else `protoc` on PATH).
fn protobuf_missing() -> Option<String> {
    let protoc = env::var_os("PROTOC").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("protoc"));
    if output(&protoc.to_string_lossy(), &["--version"]).is_none() {
        return Some(format!("`{} --version` does not run", protoc.display()));
    }
    let exe = find_program(&protoc, &env::var_os("PATH").unwrap_or_default())
        .map(|p| fs::canonicalize(&p).unwrap_or(p));
    let dirs = include_dirs(env::var_os("PROTOC_INCLUDE").map(PathBuf::from), exe.as_deref());
    if has_well_known_types(&dirs) {
        None
    } else {
        let dirs: Vec<_> = dirs.iter().map(|d| d.display().to_string()).collect();
        Some(format!("protoc finds no {WELL_KNOWN_TYPE} (looked in: {})", dirs.join(", ")))
    }
}

/// `program` as a path: as given when it has a directory part, else the first
/// match in the `PATH` value.
fn find_program(program: &Path, path: &OsStr) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return Some(program.to_path_buf());
    }
    env::split_paths(path).map(|dir| dir.join(program)).find(|p| p.is_file())
}

/// Where protoc looks for imports beside the build's own directories:
/// `PROTOC_INCLUDE` (prost-build passes it as `-I`), then the `include` next
/// to protoc's directory and one level up, as protoc itself does
/// (`/usr/bin/protoc` finds `/usr/include`).
fn include_dirs(protoc_include: Option<PathBuf>, protoc: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = protoc_include.into_iter().collect();
    if let Some(bin) = protoc.and_then(Path::parent) {
        dirs.push(bin.join("include"));
        if let Some(prefix) = bin.parent() {
            dirs.push(prefix.join("include"));
        }
    }
    dirs
}

/// Whether one of `dirs` holds the well-known types.
fn has_well_known_types(dirs: &[PathBuf]) -> bool {
    dirs.iter().any(|dir| dir.join(WELL_KNOWN_TYPE).is_file())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_protoc_looks_in_usr_include() {
        let dirs = include_dirs(None, Some(Path::new("/usr/bin/protoc")));
        assert!(dirs.contains(&PathBuf::from("/usr/include")), "{dirs:?}");
    }

    #[test]
    fn protoc_include_comes_first() {
        let dirs = include_dirs(Some("/opt/pb/include".into()), Some(Path::new("/usr/bin/protoc")));
        assert_eq!(dirs[0], PathBuf::from("/opt/pb/include"));
        assert_eq!(include_dirs(Some("/opt/pb/include".into()), None), [PathBuf::from("/opt/pb/include")]);
    }

    #[test]
    fn well_known_types_need_the_file() {
        let dir = env::temp_dir().join(format!("xtask-wkt-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("google/protobuf")).unwrap();
        // protoc without libprotobuf-dev: the directory exists, the file does not.
        assert!(!has_well_known_types(std::slice::from_ref(&dir)));
        fs::write(dir.join(WELL_KNOWN_TYPE), "syntax = \"proto3\";").unwrap();
        assert!(has_well_known_types(&[dir.join("nowhere"), dir.clone()]));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn programs_are_found_on_path() {
        let dir = env::temp_dir().join(format!("xtask-path-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("protoc"), "").unwrap();
        let path = env::join_paths([dir.join("empty"), dir.clone()]).unwrap();
        assert_eq!(find_program(Path::new("protoc"), &path), Some(dir.join("protoc")));
        assert_eq!(find_program(Path::new("missing"), &path), None);
        assert_eq!(find_program(Path::new("/opt/protoc"), &path), Some(PathBuf::from("/opt/protoc")));
        fs::remove_dir_all(&dir).unwrap();
    }
}
