//! Pure helpers: order statistics and the printed table, with a self-check.

use std::fmt::Write as _;

use serde_json::{Value, json};

/// Order statistics of a sample, in its unit (ms here).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub min: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

/// Nearest-rank percentile of an ascending sample (`p` in 0..=100).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn summarize(sample: &[f64]) -> Option<Summary> {
    if sample.is_empty() {
        return None;
    }
    let mut sorted = sample.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(Summary {
        n: sorted.len(),
        min: sorted[0],
        p50: percentile(&sorted, 50.0),
        p95: percentile(&sorted, 95.0),
        p99: percentile(&sorted, 99.0),
        max: sorted[sorted.len() - 1],
    })
}

impl Summary {
    fn json(&self) -> Value {
        json!({ "n": self.n, "min": r2(self.min), "p50": r2(self.p50), "p95": r2(self.p95),
                "p99": r2(self.p99), "max": r2(self.max) })
    }
}

pub fn summary_json(s: Option<Summary>) -> Value {
    s.map_or(Value::Null, |s| s.json())
}

pub fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

pub fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

/// One line of the summary table.
pub struct Line {
    pub figure: String,
    pub value: String,
    pub target: String,
    /// `None`: not measured, or no target.
    pub met: Option<bool>,
}

pub fn line(figure: impl Into<String>, value: impl Into<String>, target: &str, met: Option<bool>) -> Line {
    Line { figure: figure.into(), value: value.into(), target: target.into(), met }
}

/// The summary as an aligned text table (also valid Markdown).
pub fn table(lines: &[Line]) -> String {
    let w0 = lines.iter().map(|l| l.figure.chars().count()).max().unwrap_or(0).max(6);
    let w1 = lines.iter().map(|l| l.value.chars().count()).max().unwrap_or(0).max(5);
    let w2 = lines.iter().map(|l| l.target.chars().count()).max().unwrap_or(0).max(6);
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let mut out = String::new();
    let _ = writeln!(out, "| {} | {} | {} | met |", pad("figure", w0), pad("value", w1), pad("target", w2));
    let _ = writeln!(out, "|-{}-|-{}-|-{}-|-----|", "-".repeat(w0), "-".repeat(w1), "-".repeat(w2));
    for l in lines {
        let met = match l.met {
            Some(true) => "yes",
            Some(false) => "NO ",
            None => " – ",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {met} |",
            pad(&l.figure, w0),
            pad(&l.value, w1),
            pad(&l.target, w2)
        );
    }
    out
}

/// Checks of the pure helpers, run by `cargo test --benches` (which runs this
/// binary without `--bench`): a harness-less bench has no `#[test]`s.
pub fn self_check() {
    let s = summarize(&[5.0, 1.0, 4.0, 2.0, 3.0]).unwrap();
    assert_eq!((s.min, s.p50, s.p95, s.p99, s.max), (1.0, 3.0, 5.0, 5.0, 5.0));
    let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
    let s = summarize(&hundred).unwrap();
    assert_eq!((s.p50, s.p95, s.p99, s.max), (50.0, 95.0, 99.0, 100.0));
    assert_eq!(summarize(&[]), None);
    assert_eq!(percentile(&[7.0], 99.0), 7.0);
    let t = table(&[line("a", "1 ms", "≤ 2 ms", Some(true)), line("longer figure", "3", "", None)]);
    assert!(t.lines().all(|l| l.chars().count() == t.lines().next().unwrap().chars().count()), "{t}");
    assert_eq!(kb(125_000), "125.0 KB");
}
