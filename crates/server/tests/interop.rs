//! The real `laravel-echo` and `pusher-js` (npm, exact versions in
//! `interop/package.json`) against the built-in Pusher endpoint: sign in,
//! let Echo authorize `private-org.1` through `/broadcasting/auth`, see a
//! channel of another organization refused, and receive events made on the
//! server. Needs Node.js 20.19+ and npm; runs `npm ci` when `node_modules` is missing.

mod common;

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use budtags_wire::RealtimeEvent;
use common::{LICENSE_ORG_1, Server, first_package, login, patch_quantity};
use serde_json::Value;
use tokio::{
    io::{AsyncBufReadExt, BufReader, Lines},
    process::{ChildStdout, Command},
};

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// Installs the locked npm packages unless they are there already.
fn ensure_node_modules(dir: &Path) {
    let node = std::process::Command::new("node").arg("--version").output();
    let version = match node {
        Ok(output) if output.status.success() => String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        _ => panic!("the interop test needs Node.js 20.19+ and npm on PATH (`node` not found)"),
    };
    let major: u32 =
        version.trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    assert!(major >= 20, "the interop test needs Node.js 20.19+ (laravel-echo 2.5), found {version}");
    if dir.join("node_modules/laravel-echo").is_dir() && dir.join("node_modules/pusher-js").is_dir() {
        return;
    }
    let status = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .unwrap_or_else(|e| panic!("the interop test needs npm on PATH to install its packages: {e}"));
    assert!(status.success(), "`npm ci` failed in {}", dir.display());
}

/// The next JSON line the script prints, within 30 s (other output is skipped).
async fn next_line(lines: &mut Lines<BufReader<ChildStdout>>) -> Value {
    loop {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the Echo client said something in time")
            .expect("readable output")
            .expect("the Echo client is still running");
        if let Ok(value @ Value::Object(_)) = serde_json::from_str::<Value>(&line) {
            assert_ne!(value["type"], "error", "the Echo client failed: {value}");
            return value;
        }
    }
}

#[tokio::test]
async fn laravel_echo_with_pusher_js_receives_private_channel_events() {
    let dir = interop_dir();
    ensure_node_modules(&dir);
    let server = Server::start().await;
    let state = &server.state;
    let session = login(state, "approver@greenleaf.test").await;

    let mut child = Command::new("node")
        .arg("echo_client.mjs")
        .arg(format!("http://{}", server.addr))
        .arg(&session.cookie)
        .arg(&session.me.csrf_token)
        .arg("org.1:LabelApproved")
        .arg(format!("license.{LICENSE_ORG_1}:PackageUpdated"))
        .arg("!org.2")
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();

    // Both private channels are authorized and subscribed; org.2 is refused.
    let mut subscribed = Vec::new();
    let mut denied = None;
    while subscribed.len() < 2 || denied.is_none() {
        let line = next_line(&mut lines).await;
        match line["type"].as_str() {
            Some("subscribed") => subscribed.push(line["channel"].as_str().unwrap().to_owned()),
            Some("denied") => denied = Some(line),
            _ => panic!("unexpected before subscribing: {line}"),
        }
    }
    subscribed.sort();
    assert_eq!(subscribed, vec![format!("private-license.{LICENSE_ORG_1}"), "private-org.1".to_owned()]);
    let denied = denied.unwrap();
    assert_eq!(denied["channel"], "private-org.2");
    let why = denied["error"].as_str().unwrap_or_default();
    assert!(why.starts_with("auth answered 403") && why.contains("forbidden"), "{denied}");

    // A label approval, made through the event bus like any change.
    let approved =
        RealtimeEvent::LabelApproved { organization_id: 1, label_id: 42, approved_by: "Ana".into() };
    state.events.change(move |_, _| Ok(((), vec![approved]))).await.unwrap();
    let label_event_id = state.events.head().await.unwrap();
    // And a package change through the API.
    let package_id = first_package(state, LICENSE_ORG_1).await;
    patch_quantity(state, package_id, 9.5).await;

    let mut events = Vec::new();
    while events.len() < 2 {
        let line = next_line(&mut lines).await;
        assert_eq!(line["type"], "event", "{line}");
        events.push(line);
    }
    let label = events.iter().find(|e| e["event"] == "LabelApproved").expect("the label event");
    assert_eq!(label["channel"], "private-org.1");
    assert_eq!(label["data"]["labelId"], 42);
    assert_eq!(label["data"]["approvedBy"], "Ana");
    assert_eq!(label["data"]["eventId"].as_u64(), Some(label_event_id));
    let package = events.iter().find(|e| e["event"] == "PackageUpdated").expect("the package event");
    assert_eq!(package["data"]["packageId"].as_i64(), Some(package_id));
    assert_eq!(package["data"]["data"]["Quantity"].as_f64(), Some(9.5));

    let status = tokio::time::timeout(Duration::from_secs(10), child.wait()).await.unwrap().unwrap();
    assert!(status.success(), "the Echo client exits cleanly once satisfied");
}
