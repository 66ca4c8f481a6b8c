//! What the browser downloads to open each entry page of the built app: the
//! page, the files its asset tags load (styles, the main module and its JS,
//! the chunk loader), and the files of the part of the app the page needs
//! (its workspace's chunk and the chunks that shares), as the table in
//! `index.html` names them (`xtask/src/web.rs`). Shared by the bundle guard
//! in the test command and the browser bench.

use std::{
    collections::BTreeMap,
    io::Write as _,
    path::{Path, PathBuf},
};

/// The entry pages people open: (what, path, the part of the app it needs).
pub const ENTRY_PAGES: [(&str, &str, &str); 6] = [
    ("packages", "/licenses/C11-0000090-LIC/packages", "packages"),
    ("a transfer's check-in", "/transfers/1", "transfers"),
    ("incoming transfers", "/transfers/incoming", "transfers"),
    ("label queue", "/labels", "labels"),
    ("a job", "/jobs/1", "jobs"),
    ("sign-in", "/login", "signin"),
];

/// One file's size, raw and compressed on its own as HTTP would send it.
pub struct Sized {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

pub fn sized(dist: &Path, name: &str) -> Sized {
    let bytes = std::fs::read(dist.join(name)).unwrap_or_else(|e| panic!("read {name}: {e}"));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes).unwrap();
    let gzip = gz.finish().unwrap().len() as u64;
    let mut br = brotli::CompressorWriter::new(Vec::new(), 4096, 11, 22);
    br.write_all(&bytes).unwrap();
    br.flush().unwrap();
    let brotli = br.into_inner().len() as u64;
    Sized { name: name.to_owned(), raw: bytes.len() as u64, gzip, brotli }
}

fn index(dist: &Path) -> String {
    std::fs::read_to_string(dist.join("index.html")).expect("read dist/index.html")
}

/// `index.html` and the files its tags load, relative to `dist` (the icon
/// and the parts table left out).
pub fn shell_files(dist: &Path) -> Vec<String> {
    let html = index(dist);
    let mut names = vec!["index.html".to_owned()];
    for text in html.lines().filter(|l| !l.contains("rel=\"icon\"") && !l.contains("var parts")) {
        for (i, part) in text.split('"').enumerate() {
            let Some(name) = part.strip_prefix('/') else { continue };
            if i % 2 == 1 && !name.is_empty() && dist.join(name).is_file() && !names.iter().any(|n| n == name)
            {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// Each part of the app and its files, from the table in `index.html`.
pub fn parts(dist: &Path) -> BTreeMap<String, Vec<String>> {
    let html = index(dist);
    let line = html
        .lines()
        .find(|l| l.trim_start().starts_with("var parts = "))
        .expect("index.html has a parts table");
    let json = line.trim().trim_start_matches("var parts = ").trim_end_matches(';');
    let table: BTreeMap<String, Vec<String>> = serde_json::from_str(json).expect("the parts table is JSON");
    table
        .into_iter()
        .map(|(part, files)| {
            (part, files.into_iter().map(|f| f.trim_start_matches('/').to_owned()).collect())
        })
        .collect()
}

/// Everything opening a page of `part` downloads before its first row.
pub fn entry_files(dist: &Path, part: &str) -> Vec<String> {
    let mut files = shell_files(dist);
    files.extend(parts(dist).remove(part).unwrap_or_else(|| panic!("no part {part} in index.html")));
    files
}

/// Every file a person can ever load (the whole app).
pub fn all_files(dist: &Path) -> Vec<String> {
    fn walk(dir: &PathBuf, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css" | "html" | "svg")
            ) {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(&dist.to_path_buf(), dist, &mut out);
    out.retain(|f| f != "sw.js");
    out.sort();
    out
}
