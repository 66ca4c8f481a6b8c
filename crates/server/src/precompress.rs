//! Brotli and gzip copies of the built web app, written once next to each
//! file (`app.wasm.br`, `app.wasm.gz`) so the static file service sends them
//! as they are instead of compressing the 1.5 MB module on every load, and at
//! brotli's best level, which is too slow to use per request.
//!
//! The running server does this in the background at start-up (until a copy
//! exists the file is compressed on the fly as before). Copies are written to
//! a temporary name and renamed, so a reader never sees half a file, and
//! skipped when already newer than their source.

use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
    time::SystemTime,
};

use flate2::{Compression, write::GzEncoder};

/// What is worth compressing: the module, its JavaScript, styles, markup, icons.
const EXTENSIONS: [&str; 5] = ["wasm", "js", "css", "html", "svg"];

/// One file's compressed copies, as written or found.
#[derive(Debug, PartialEq)]
pub struct Compressed {
    pub file: PathBuf,
    pub raw: u64,
    pub brotli: u64,
    pub gzip: u64,
}

/// Writes the missing or stale `.br` and `.gz` copies of every file in `dir`
/// and its subdirectories (`assets/{hash}/`) worth compressing.
pub fn precompress_dir(dir: &Path) -> io::Result<Vec<Compressed>> {
    let mut done = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        // The entry's own type: a symbolic link is not followed (no loops).
        let kind = entry.file_type()?;
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if kind.is_dir() {
            done.extend(precompress_dir(&path)?);
        } else if kind.is_file() && EXTENSIONS.contains(&ext) {
            done.push(precompress_file(&path)?);
        }
    }
    Ok(done)
}

fn precompress_file(path: &Path) -> io::Result<Compressed> {
    let source_time = fs::metadata(path)?.modified()?;
    let brotli = sibling(path, "br");
    let gzip = sibling(path, "gz");
    let data = fs::read(path)?;
    if is_stale(&brotli, source_time) {
        let mut out = Vec::with_capacity(data.len() / 3);
        let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
        brotli::BrotliCompress(&mut data.as_slice(), &mut out, &params)?;
        write_atomically(&brotli, &out)?;
    }
    if is_stale(&gzip, source_time) {
        let mut encoder = GzEncoder::new(Vec::with_capacity(data.len() / 3), Compression::best());
        encoder.write_all(&data)?;
        write_atomically(&gzip, &encoder.finish()?)?;
    }
    Ok(Compressed {
        file: path.to_path_buf(),
        raw: data.len() as u64,
        brotli: fs::metadata(&brotli)?.len(),
        gzip: fs::metadata(&gzip)?.len(),
    })
}

/// `app.wasm` → `app.wasm.br`.
fn sibling(path: &Path, ext: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

fn is_stale(copy: &Path, source_time: SystemTime) -> bool {
    fs::metadata(copy).and_then(|m| m.modified()).map_or(true, |copied| copied < source_time)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = sibling(path, &format!("tmp{}", std::process::id()));
    fs::write(&temp, bytes)?;
    fs::rename(&temp, path)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn writes_copies_that_decompress_to_the_original_and_skips_fresh_ones() {
        let dir = tempfile::tempdir().unwrap();
        let original: Vec<u8> = (0..50_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        fs::write(dir.path().join("app.wasm"), &original).unwrap();
        fs::write(dir.path().join("notes.txt"), b"not served compressed").unwrap();

        let done = precompress_dir(dir.path()).unwrap();
        assert_eq!(done.len(), 1, "only the kinds worth compressing: {done:?}");
        assert!(done[0].brotli < done[0].raw && done[0].gzip < done[0].raw, "{done:?}");
        assert!(!dir.path().join("notes.txt.br").exists());

        let mut unbrotli = Vec::new();
        let br = fs::read(dir.path().join("app.wasm.br")).unwrap();
        brotli::BrotliDecompress(&mut br.as_slice(), &mut unbrotli).unwrap();
        assert_eq!(unbrotli, original);
        let mut ungzip = Vec::new();
        let gz = fs::read(dir.path().join("app.wasm.gz")).unwrap();
        flate2::read::GzDecoder::new(gz.as_slice()).read_to_end(&mut ungzip).unwrap();
        assert_eq!(ungzip, original);

        // Fresh copies are left alone (same modification time).
        let before = fs::metadata(dir.path().join("app.wasm.br")).unwrap().modified().unwrap();
        precompress_dir(dir.path()).unwrap();
        let after = fs::metadata(dir.path().join("app.wasm.br")).unwrap().modified().unwrap();
        assert_eq!(before, after);
    }
}
