//! The release web build: the one way the app that ships is built, for
//! `cargo xtask run`, the tests and the benches alike.
//!
//! 1. `cargo build` for wasm32 (release), linked with `--emit-relocs`
//!    (`.cargo/config.toml`), so the module keeps what splitting needs;
//! 2. `wasm_split_cli` cuts it at the app's split points (`src/chunks.rs`):
//!    a main module, one chunk per lazily loaded part, chunks for code those
//!    parts share, and `__wasm_split.js`, which fetches them;
//! 3. `wasm-bindgen --target web --keep-lld-exports` on the main module (the
//!    chunks link against lld's exports, so they must stay);
//! 4. `wasm-opt -Oz` on every module (binaryen 132);
//! 5. `dist/`: `index.html` (from the template in the repository root, with
//!    the asset tags and the chunk table filled in), `sw.js`, and every other
//!    file under `assets/<hash>/`, where the hash covers all of them: each
//!    deploy has its own directory, so its files can be cached for ever.

use std::{
    collections::BTreeMap,
    fs,
    hash::{DefaultHasher, Hasher},
    path::{Path, PathBuf},
    process::Command,
};

use crate::{cargo, root, step, tools};

/// The name wasm-bindgen and the splitter give the main module and its JS.
const NAME: &str = "budtags-web";

/// Where the template asks for the asset tags and the chunk table.
const ASSETS_MARKER: &str = "<!-- budtags:assets -->";
const CHUNKS_MARKER: &str = "/* budtags:chunks */";

/// wasm-opt's settings: size first; the module uses these post-MVP features
/// (the stripped module has no `target_features` section to say so).
const WASM_OPT_ARGS: [&str; 9] = [
    "-Oz",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
    "--strip-debug",
    "--strip-producers",
];

pub fn build() -> Result<(), String> {
    let root = root();
    let work = root.join("target").join("web");
    let split_dir = work.join("split");
    let bound_dir = work.join("bound");
    for dir in [&split_dir, &bound_dir] {
        let _ = fs::remove_dir_all(dir);
        mkdir(dir)?;
    }
    step(
        "compile the web app (wasm32, release)",
        cargo().args(["build", "--release", "--package", NAME, "--target", "wasm32-unknown-unknown"]),
    )?;
    let linked = root.join("target/wasm32-unknown-unknown/release").join(format!("{NAME}.wasm"));
    step(
        "split the module at its lazily loaded parts",
        Command::new(tools::wasm_split()).arg(&linked).arg(&split_dir).args(["--out-name", NAME]),
    )?;
    step(
        "wasm-bindgen (main module)",
        Command::new(tools::wasm_bindgen())
            .args(["--target", "web", "--keep-lld-exports", "--no-typescript", "--remove-name-section"])
            .arg("--out-name")
            .arg(NAME)
            .arg("--out-dir")
            .arg(&bound_dir)
            .arg(split_dir.join(format!("{NAME}.wasm"))),
    )?;
    // The files that ship, by name: the bound main module and its JS, the
    // chunks and their loader, the styles and the icon.
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let main_wasm = format!("{NAME}_bg.wasm");
    let main_opt = optimize_all(&[bound_dir.join(&main_wasm)], &work.join("opt"))?;
    files.insert(main_wasm.clone(), main_opt.into_iter().next().unwrap_or_default());
    files.insert(format!("{NAME}.js"), read(&bound_dir.join(format!("{NAME}.js")))?);
    // The splitter's other outputs: the chunks (optimized two at a time, one
    // per core here) and their loader.
    let mut chunk_paths = Vec::new();
    for entry in fs::read_dir(&split_dir).map_err(|e| format!("{}: {e}", split_dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = file_name(&path);
        if name.ends_with(".js") {
            files.insert(name, read(&path)?);
        } else if name.ends_with(".wasm") && name != format!("{NAME}.wasm") {
            chunk_paths.push(path);
        }
    }
    chunk_paths.sort();
    let optimized = optimize_all(&chunk_paths, &work.join("opt"))?;
    for (path, bytes) in chunk_paths.iter().zip(optimized) {
        files.insert(file_name(path), bytes);
    }
    let loader =
        String::from_utf8_lossy(files.get("__wasm_split.js").ok_or("the splitter wrote no __wasm_split.js")?);
    let parts = parts_of(&loader, &files)?;
    let mut css = Vec::new();
    for sheet in ["style/main.css", "style/flows.css"] {
        css.extend(read(&root.join(sheet))?);
        css.push(b'\n');
    }
    files.insert("style.css".into(), css);
    files.insert("favicon.svg".into(), read(&root.join("public/favicon.svg"))?);

    let hash = content_hash(&files);
    let base = format!("/assets/{hash}");
    let dist = root.join("dist");
    let _ = fs::remove_dir_all(&dist);
    let assets = dist.join("assets").join(&hash);
    mkdir(&assets)?;
    let mut total = 0;
    for (name, bytes) in &files {
        total += bytes.len();
        write(&assets.join(name), bytes)?;
    }
    let template = fs::read_to_string(root.join("index.html")).map_err(|e| format!("index.html: {e}"))?;
    write(&dist.join("index.html"), index_html(&template, &base, &parts)?.as_bytes())?;
    write(&dist.join("sw.js"), &read(&root.join("public/sw.js"))?)?;
    let names: Vec<String> =
        parts.iter().map(|(part, files)| format!("{part} ({} files)", files.len())).collect();
    println!("    dist/: {} files under {base}, {total} bytes raw; parts: {}", files.len(), names.join(", "));
    Ok(())
}

/// Every lazily loaded part (`packages`, `pusher_transport`…) and the files
/// it needs: its own `split_{part}.wasm` and the chunks of code it shares
/// with other parts. The splitter's loader names, above each shared chunk,
/// the parts that use it (`/* labels, packages */`); the build fails if that
/// changes (the splitter's version is pinned in `tools.rs`).
fn parts_of(
    loader: &str,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<BTreeMap<String, Vec<String>>, String> {
    let mut parts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in files.keys() {
        if let Some(part) = name.strip_prefix("split_").and_then(|n| n.strip_suffix(".wasm")) {
            parts.entry(part.to_owned()).or_default().push(name.clone());
        }
    }
    let mut lines = loader.lines().peekable();
    while let Some(line) = lines.next() {
        let (Some(users), Some(next)) =
            (line.trim().strip_prefix("/* ").and_then(|l| l.strip_suffix(" */")), lines.peek())
        else {
            continue;
        };
        let Some(chunk) = next.strip_prefix("const __").and_then(|n| n.split(' ').next()) else { continue };
        let file = format!("{chunk}.wasm");
        if !files.contains_key(&file) {
            return Err(format!("__wasm_split.js names {file}, which the splitter did not write"));
        }
        for user in users.split(", ") {
            parts
                .get_mut(user)
                .ok_or_else(|| format!("__wasm_split.js: {file} is used by unknown part {user}"))?
                .push(file.clone());
        }
    }
    let shared = parts.values().map(Vec::len).sum::<usize>();
    let chunk_files = files.keys().filter(|n| n.ends_with(".wasm") && !n.starts_with(NAME)).count();
    if shared < chunk_files {
        return Err(
            "__wasm_split.js did not say which parts use its chunks (has the splitter changed?)".into()
        );
    }
    Ok(parts)
}

/// `index.html` from the template: the asset tags where the template asks for
/// them, and the table of each part's files (so the early script fetches the
/// chunks of the page being opened at once, and the service worker keeps
/// them all).
fn index_html(template: &str, base: &str, parts: &BTreeMap<String, Vec<String>>) -> Result<String, String> {
    if !template.contains(ASSETS_MARKER) || !template.contains(CHUNKS_MARKER) {
        return Err(format!("index.html must contain {ASSETS_MARKER} and {CHUNKS_MARKER}"));
    }
    let tags = format!(
        r#"<link rel="stylesheet" href="{base}/style.css" />
    <link rel="icon" href="{base}/favicon.svg" type="image/svg+xml" />
    <link rel="modulepreload" href="{base}/{NAME}.js" />
    <link rel="modulepreload" href="{base}/__wasm_split.js" />
    <link rel="preload" href="{base}/{NAME}_bg.wasm" as="fetch" type="application/wasm" crossorigin />
    <script type="module">import init from "{base}/{NAME}.js"; init({{ module_or_path: "{base}/{NAME}_bg.wasm" }}).then((wasm) => dispatchEvent(new CustomEvent("budtags-started", {{ detail: {{ wasm }} }})));</script>"#
    );
    let table: Vec<String> = parts
        .iter()
        .map(|(part, files)| {
            let paths: Vec<String> = files.iter().map(|f| format!(r#""{base}/{f}""#)).collect();
            format!(r#""{part}":[{}]"#, paths.join(","))
        })
        .collect();
    Ok(template.replace(ASSETS_MARKER, &tags).replace(CHUNKS_MARKER, &format!("{{{}}}", table.join(","))))
}

/// `wasm-opt` on each module, two at a time, into `out_dir`: their
/// optimized bytes, in order.
fn optimize_all(paths: &[PathBuf], out_dir: &Path) -> Result<Vec<Vec<u8>>, String> {
    mkdir(&out_dir.to_path_buf())?;
    let started = std::time::Instant::now();
    let optimize = |path: &PathBuf| -> Result<Vec<u8>, String> {
        let out = out_dir.join(file_name(path));
        let status = Command::new(tools::binaryen_bin().join("wasm-opt"))
            .args(WASM_OPT_ARGS)
            .arg(path)
            .arg("-o")
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("cannot start wasm-opt: {e}"))?;
        if !status.success() {
            return Err(format!("wasm-opt failed on {} ({status})", path.display()));
        }
        read(&out)
    };
    let (even, odd): (Vec<_>, Vec<_>) = paths.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let run = |half: Vec<(usize, &PathBuf)>| -> Result<Vec<(usize, Vec<u8>)>, String> {
        half.into_iter().map(|(i, p)| optimize(p).map(|bytes| (i, bytes))).collect()
    };
    let (a, b) = std::thread::scope(|scope| {
        let other = scope.spawn(|| run(odd));
        (run(even), other.join().unwrap_or_else(|_| Err("wasm-opt thread panicked".into())))
    });
    let mut all = a?;
    all.extend(b?);
    all.sort_by_key(|(i, _)| *i);
    println!("    (wasm-opt on {} modules: {:.1?})", paths.len(), started.elapsed());
    Ok(all.into_iter().map(|(_, bytes)| bytes).collect())
}

/// 16 hex digits over every file's name and bytes: a new deploy, a new directory.
fn content_hash(files: &BTreeMap<String, Vec<u8>>) -> String {
    let mut hasher = DefaultHasher::new();
    for (name, bytes) in files {
        hasher.write(name.as_bytes());
        hasher.write_u8(0);
        hasher.write(bytes);
    }
    format!("{:016x}", hasher.finish())
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn mkdir(dir: &PathBuf) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_gets_the_assets_and_the_parts_table() {
        let template = "<head><script>var c = /* budtags:chunks */;</script><!-- budtags:assets --></head>";
        let parts = BTreeMap::from([(
            "packages".to_owned(),
            vec!["split_packages.wasm".into(), "chunk_1.wasm".into()],
        )]);
        let html = index_html(template, "/assets/abc", &parts).unwrap();
        assert!(
            html.contains(
                r#"var c = {"packages":["/assets/abc/split_packages.wasm","/assets/abc/chunk_1.wasm"]};"#
            ),
            "{html}"
        );
        assert!(html.contains(r#"import init from "/assets/abc/budtags-web.js""#), "{html}");
        assert!(!html.contains("budtags:"), "{html}");
        assert!(index_html("<head></head>", "/assets/abc", &parts).is_err());
    }

    #[test]
    fn each_part_needs_its_own_file_and_the_chunks_it_shares() {
        let files: BTreeMap<String, Vec<u8>> =
            ["split_labels.wasm", "split_packages.wasm", "chunk_1.wasm", "chunk_2.wasm"]
                .into_iter()
                .map(|n| (n.to_owned(), Vec::new()))
                .collect();
        let loader = "/* labels, packages */\nconst __chunk_1 = makeLoad(() => {\n/* packages */\nconst __chunk_2 = makeLoad(";
        let parts = parts_of(loader, &files).unwrap();
        assert_eq!(parts["labels"], ["split_labels.wasm", "chunk_1.wasm"]);
        assert_eq!(parts["packages"], ["split_packages.wasm", "chunk_1.wasm", "chunk_2.wasm"]);
        assert!(parts_of("/* jobs */\nconst __chunk_1 = x", &files).is_err(), "an unknown part");
        assert!(parts_of("", &files).is_err(), "chunks no part claims");
    }

    #[test]
    fn the_hash_changes_with_any_byte() {
        let mut files = BTreeMap::from([("a.js".to_owned(), b"x".to_vec())]);
        let first = content_hash(&files);
        assert_eq!(first.len(), 16);
        assert_eq!(first, content_hash(&files));
        files.insert("a.js".into(), b"y".to_vec());
        assert_ne!(first, content_hash(&files));
    }
}
