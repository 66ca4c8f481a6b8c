//! The bench's command line.

use std::path::PathBuf;

pub struct Args {
    pub packages: Vec<usize>,
    pub loads: usize,
    pub events: usize,
    pub json: Option<PathBuf>,
    /// `cargo bench` passes `--bench`; `cargo test --benches` does not.
    pub bench: bool,
}

pub fn parse_args() -> Args {
    let mut args = Args { packages: vec![1_000, 10_000], loads: 5, events: 50, json: None, bench: false };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = |what: &str| {
            inline.clone().or_else(|| it.next()).unwrap_or_else(|| usage(&format!("{name} needs {what}")))
        };
        match name.as_str() {
            "--bench" => args.bench = true,
            "--packages" => {
                let v = value("a list of sizes, e.g. 1000,10000");
                args.packages = v
                    .split(',')
                    .map(|n| n.trim().replace('_', "").parse::<usize>().ok().filter(|n| *n > 0))
                    .collect::<Option<Vec<_>>>()
                    .unwrap_or_else(|| usage("--packages takes sizes like 1000,10000"));
            }
            "--loads" => args.loads = positive(&value("a number"), "--loads"),
            "--events" => args.events = positive(&value("a number"), "--events"),
            "--json" => args.json = Some(PathBuf::from(value("a path"))),
            _ => {} // libtest flags cargo may pass
        }
    }
    args
}

pub fn positive(value: &str, flag: &str) -> usize {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .unwrap_or_else(|| usage(&format!("{flag} takes a positive number")))
}

pub fn usage(message: &str) -> ! {
    eprintln!(
        "{message}\nusage: cargo bench --bench browser -- [--packages 1000,10000] [--loads 5] [--events 50] [--json PATH]"
    );
    std::process::exit(2);
}
