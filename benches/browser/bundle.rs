//! What `index.html` makes the browser download, raw and compressed.

use std::{io::Write as _, path::Path};

pub struct BundleFile {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// The files `index.html` loads (quoted `/name` references that exist in
/// `dist`), the icon excluded, plus `index.html` itself.
pub fn bundle_files(dist: &Path) -> Vec<String> {
    let html = std::fs::read_to_string(dist.join("index.html")).expect("read dist/index.html");
    let mut names = vec!["index.html".to_owned()];
    for text in html.lines().filter(|l| !l.contains("rel=\"icon\"")) {
        for quote in ['"', '\''] {
            for (i, part) in text.split(quote).enumerate() {
                let Some(name) = part.strip_prefix('/') else { continue };
                if i % 2 == 1
                    && !name.is_empty()
                    && dist.join(name).is_file()
                    && !names.iter().any(|n| n == name)
                {
                    names.push(name.to_owned());
                }
            }
        }
    }
    names
}

pub fn measure_bundle(dist: &Path) -> Vec<BundleFile> {
    bundle_files(dist)
        .into_iter()
        .map(|name| {
            let bytes = std::fs::read(dist.join(&name)).unwrap_or_else(|e| panic!("read {name}: {e}"));
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&bytes).unwrap();
            let gzip = gz.finish().unwrap().len() as u64;
            let mut br = brotli::CompressorWriter::new(Vec::new(), 4096, 11, 22);
            br.write_all(&bytes).unwrap();
            br.flush().unwrap();
            let brotli = br.into_inner().len() as u64;
            BundleFile { name, raw: bytes.len() as u64, gzip, brotli }
        })
        .collect()
}
