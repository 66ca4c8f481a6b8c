//! What a fan-out run measured, as a table for people and as JSON for tools.

use serde::Serialize;

use crate::{server::Kind, stats::Summary};

/// The delivery p99 a sustained step must keep, and the fan-out goal.
pub const P99_GOAL_MS: f64 = 250.0;
/// The share of its target rate a sustained step must achieve.
pub const RATE_GOAL: f64 = 0.95;

/// The whole bench: machine, then one [`Run`] per server and client count.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub bench: &'static str,
    /// Unix seconds at the start.
    pub started_at: u64,
    pub cores: usize,
    /// `/proc/loadavg` (1, 5, 15 min) at the start and at the end.
    pub load_before: [f64; 3],
    pub load_after: [f64; 3],
    /// Why Sockudo did not run, when it did not.
    pub sockudo_skipped: Option<String>,
    /// Per server and client count, the median over its repetitions.
    pub medians: Vec<Median>,
    pub runs: Vec<Run>,
}

/// The median of each figure over a server's repetitions at one client count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Median {
    pub server: Kind,
    pub clients: u32,
    pub runs: usize,
    pub connect_s: Option<f64>,
    pub rss_before_mb: Option<f64>,
    pub rss_subscribed_mb: Option<f64>,
    pub kb_per_connection: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
    pub server_cpu_ms_per_round: Option<f64>,
    /// Summed over the repetitions.
    pub missed: u64,
    /// The best passing sustained step's rate, 0 where none passed.
    pub sustained_events_per_s: Option<f64>,
    pub sustained_deliveries_per_s: Option<f64>,
}

/// One server holding `clients` subscribed connections.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub server: Kind,
    /// Clients asked for.
    pub clients: u32,
    /// Which repetition (0-based; see `--repeat`).
    pub rep: u32,
    /// Clients connected and subscribed.
    pub connected: u32,
    pub connect_failures: u32,
    pub connect_error: Option<String>,
    /// Seconds from the first connect to the last subscription confirmed.
    pub connect_s: f64,
    /// `/proc/loadavg` when the run started.
    pub load: [f64; 3],
    pub rss_before_mb: f64,
    /// With every client subscribed, before any event.
    pub rss_subscribed_mb: f64,
    /// After the fan-out rounds.
    pub rss_after_rounds_mb: f64,
    /// (subscribed − before) / connected.
    pub kb_per_connection: f64,
    pub fanout: Fanout,
    pub sustained: Option<Sustained>,
    /// Clients still connected at the end of the run.
    pub clients_open_at_end: u32,
    pub server_alive_at_end: bool,
    /// Warnings and errors the server logged during the run.
    pub server_log_lines: usize,
}

/// The measured rounds: one event to every client, the next once all got it.
#[derive(Debug, Clone, Serialize)]
pub struct Fanout {
    pub rounds: u32,
    pub deliveries: u64,
    /// Deliveries missing after each round's timeout (must be 0).
    pub missed: u64,
    pub timed_out_rounds: u32,
    /// Send (bench clock, before the trigger request) to receive (each client).
    pub latency: Summary,
    /// Server CPU time (user + system) per round.
    pub server_cpu_ms_per_round: f64,
    /// This process's CPU time per round: the clients reading their frames.
    pub bench_cpu_ms_per_round: f64,
    /// Rounds per second, back to back.
    pub rounds_per_s: f64,
}

/// Triggering at rising rates, `clients` subscribed.
#[derive(Debug, Clone, Serialize)]
pub struct Sustained {
    pub clients: u32,
    pub steps: Vec<Step>,
    /// The fastest step that passed, if any did.
    pub best: Option<Step>,
}

/// One sustained step.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub target_events_per_s: u32,
    pub events_sent: u64,
    pub trigger_errors: u64,
    /// Accepted trigger requests per second of triggering.
    pub events_per_s: f64,
    pub deliveries: u64,
    /// Deliveries per second, from the first trigger to the last delivery.
    pub deliveries_per_s: f64,
    pub missed: u64,
    pub latency: Summary,
    /// Server CPU time (user + system) per second of the step.
    pub server_cpu_share: f64,
    pub passed: bool,
}

/// A sustained step holds when nothing is lost, p99 stays within the goal,
/// and the server accepted (nearly) the rate asked of it.
pub fn step_passes(
    target: u32,
    events_per_s: f64,
    missed: u64,
    trigger_errors: u64,
    p99_ms: Option<f64>,
) -> bool {
    missed == 0
        && trigger_errors == 0
        && p99_ms.is_some_and(|p99| p99 <= P99_GOAL_MS)
        && events_per_s >= RATE_GOAL * f64::from(target)
}

/// `/proc/loadavg`'s three averages.
pub fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut fields = text.split_whitespace().map(|f| f.parse::<f64>().ok());
    Some([fields.next()??, fields.next()??, fields.next()??])
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// One [`Median`] per (server, client count), in the order first run.
pub fn medians(runs: &[Run]) -> Vec<Median> {
    let mut keys: Vec<(Kind, u32)> = Vec::new();
    for run in runs {
        if !keys.contains(&(run.server, run.clients)) {
            keys.push((run.server, run.clients));
        }
    }
    keys.into_iter()
        .map(|(server, clients)| {
            let group: Vec<&Run> =
                runs.iter().filter(|r| (r.server, r.clients) == (server, clients)).collect();
            let of = |figure: &dyn Fn(&Run) -> Option<f64>| {
                median(group.iter().filter_map(|r| figure(r)).collect())
            };
            let best = |figure: &dyn Fn(&Step) -> f64| {
                of(&|r: &Run| r.sustained.as_ref().map(|s| s.best.as_ref().map_or(0.0, figure)))
            };
            Median {
                server,
                clients,
                runs: group.len(),
                connect_s: of(&|r| Some(r.connect_s)),
                rss_before_mb: of(&|r| Some(r.rss_before_mb)),
                rss_subscribed_mb: of(&|r| Some(r.rss_subscribed_mb)),
                kb_per_connection: of(&|r| Some(r.kb_per_connection)),
                p50_ms: of(&|r| r.fanout.latency.p50_ms),
                p95_ms: of(&|r| r.fanout.latency.p95_ms),
                p99_ms: of(&|r| r.fanout.latency.p99_ms),
                max_ms: of(&|r| r.fanout.latency.max_ms),
                server_cpu_ms_per_round: of(&|r| Some(r.fanout.server_cpu_ms_per_round)),
                missed: group.iter().map(|r| r.fanout.missed).sum(),
                sustained_events_per_s: best(&|s| s.events_per_s),
                sustained_deliveries_per_s: best(&|s| s.deliveries_per_s),
            }
        })
        .collect()
}

/// The medians as a table.
pub fn median_table(medians: &[Median]) -> String {
    let header = [
        "server",
        "clients",
        "runs",
        "connect s",
        "RSS MB before",
        "RSS MB after",
        "KB/conn",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "CPU ms/round",
        "missed",
        "sustained ev/s",
        "deliveries/s",
    ];
    let f1 = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"));
    let f0 = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.0}"));
    let rows = medians
        .iter()
        .map(|m| {
            vec![
                m.server.name().to_owned(),
                m.clients.to_string(),
                m.runs.to_string(),
                f1(m.connect_s),
                f1(m.rss_before_mb),
                f1(m.rss_subscribed_mb),
                f1(m.kb_per_connection),
                f1(m.p50_ms),
                f1(m.p95_ms),
                f1(m.p99_ms),
                f1(m.max_ms),
                f1(m.server_cpu_ms_per_round),
                m.missed.to_string(),
                f0(m.sustained_events_per_s),
                f0(m.sustained_deliveries_per_s),
            ]
        })
        .collect();
    render(&header, rows)
}

/// A Markdown table, numbers right-aligned.
fn render(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|row| row[c].len()).chain([header[c].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if c == 0 {
                    format!("{cell:<w$}", w = widths[c])
                } else {
                    format!("{cell:>w$}", w = widths[c])
                }
            })
            .collect();
        format!("| {} |", padded.join(" | "))
    };
    let rule: Vec<String> = widths
        .iter()
        .enumerate()
        .map(
            |(c, &w)| {
                if c == 0 { format!(":{}", "-".repeat(w - 1)) } else { format!("{}:", "-".repeat(w - 1)) }
            },
        )
        .collect();
    let mut out =
        vec![line(header.iter().map(|h| h.to_string()).collect()), format!("| {} |", rule.join(" | "))];
    out.extend(rows.into_iter().map(line));
    out.join("\n")
}

fn ms(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"))
}

/// The table printed to stdout: one row per run.
pub fn table(runs: &[Run]) -> String {
    let header = [
        "server",
        "clients",
        "#",
        "connect s",
        "RSS MB before",
        "RSS MB after",
        "KB/conn",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "missed",
        "sustained ev/s",
        "deliveries/s",
    ];
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|run| {
            let clients = if run.connected == run.clients {
                run.clients.to_string()
            } else {
                format!("{}/{}", run.connected, run.clients)
            };
            let best = run.sustained.as_ref().map(|s| s.best.as_ref());
            let (events, deliveries) = match best {
                None => ("-".to_owned(), "-".to_owned()),
                Some(None) => ("none passed".to_owned(), "-".to_owned()),
                Some(Some(step)) => {
                    (format!("{:.0}", step.events_per_s), format!("{:.0}", step.deliveries_per_s))
                }
            };
            vec![
                run.server.name().to_owned(),
                clients,
                run.rep.to_string(),
                format!("{:.1}", run.connect_s),
                format!("{:.1}", run.rss_before_mb),
                format!("{:.1}", run.rss_subscribed_mb),
                format!("{:.1}", run.kb_per_connection),
                ms(run.fanout.latency.p50_ms),
                ms(run.fanout.latency.p95_ms),
                ms(run.fanout.latency.p99_ms),
                ms(run.fanout.latency.max_ms),
                run.fanout.missed.to_string(),
                events,
                deliveries,
            ]
        })
        .collect();
    render(&header, rows)
}

/// The sustained steps of every run that had them, one line each.
pub fn steps_table(runs: &[Run]) -> String {
    let mut out = Vec::new();
    for run in runs {
        let Some(sustained) = &run.sustained else { continue };
        for step in &sustained.steps {
            out.push(format!(
                "{:<8} {:>6} clients  target {:>5} ev/s  sent {:>6} ({:>7.1} ev/s)  {:>9.0} deliveries/s  \
                 p50 {:>7} p99 {:>7} max {:>7} ms  missed {:>6}  errors {}  cpu {:>4.0}%  {}",
                run.server.name(),
                sustained.clients,
                step.target_events_per_s,
                step.events_sent,
                step.events_per_s,
                step.deliveries_per_s,
                ms(step.latency.p50_ms),
                ms(step.latency.p99_ms),
                ms(step.latency.max_ms),
                step.missed,
                step.trigger_errors,
                step.server_cpu_share * 100.0,
                if step.passed { "ok" } else { "FAILED" },
            ));
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(p99: f64) -> Summary {
        Summary { count: 10, p50_ms: Some(1.0), p95_ms: Some(2.0), p99_ms: Some(p99), max_ms: Some(p99) }
    }

    fn run(server: Kind, connected: u32, best: Option<Step>) -> Run {
        Run {
            server,
            clients: 1_000,
            rep: 0,
            connected,
            connect_failures: 1_000 - connected,
            connect_error: None,
            connect_s: 1.25,
            load: [1.0, 1.0, 1.0],
            rss_before_mb: 10.0,
            rss_subscribed_mb: 30.0,
            rss_after_rounds_mb: 31.0,
            kb_per_connection: 20.48,
            fanout: Fanout {
                rounds: 50,
                deliveries: 50_000,
                missed: 0,
                timed_out_rounds: 0,
                latency: summary(12.34),
                server_cpu_ms_per_round: 3.0,
                bench_cpu_ms_per_round: 2.0,
                rounds_per_s: 20.0,
            },
            sustained: Some(Sustained { clients: 1_000, steps: best.clone().into_iter().collect(), best }),
            clients_open_at_end: connected,
            server_alive_at_end: true,
            server_log_lines: 0,
        }
    }

    fn step() -> Step {
        Step {
            target_events_per_s: 100,
            events_sent: 500,
            trigger_errors: 0,
            events_per_s: 99.6,
            deliveries: 500_000,
            deliveries_per_s: 99_000.0,
            missed: 0,
            latency: summary(20.0),
            server_cpu_share: 0.5,
            passed: true,
        }
    }

    #[test]
    fn a_step_passes_only_on_time_complete_and_at_rate() {
        assert!(step_passes(100, 96.0, 0, 0, Some(250.0)));
        assert!(!step_passes(100, 96.0, 1, 0, Some(10.0)), "a loss");
        assert!(!step_passes(100, 96.0, 0, 1, Some(10.0)), "a refused trigger");
        assert!(!step_passes(100, 96.0, 0, 0, Some(250.1)), "too slow");
        assert!(!step_passes(100, 94.0, 0, 0, Some(10.0)), "could not keep the rate");
        assert!(!step_passes(100, 96.0, 0, 0, None), "nothing delivered");
    }

    #[test]
    fn medians_group_by_server_and_clients() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(Vec::new()), None);
        let mut slow = run(Kind::Budtags, 1_000, None);
        slow.fanout.latency.p99_ms = Some(100.0);
        slow.fanout.missed = 2;
        let runs = [run(Kind::Budtags, 1_000, Some(step())), run(Kind::Sockudo, 1_000, None), slow];
        let medians = medians(&runs);
        assert_eq!(medians.len(), 2);
        let ours = &medians[0];
        assert_eq!((ours.server, ours.runs, ours.missed), (Kind::Budtags, 2, 2));
        assert_eq!(ours.p99_ms, Some((12.34 + 100.0) / 2.0));
        assert_eq!(ours.sustained_events_per_s, Some(99.6 / 2.0), "a run where no step passed counts as 0");
        assert_eq!(medians[1].sustained_events_per_s, Some(0.0));
        assert_eq!(median_table(&medians).lines().count(), 4);
    }

    #[test]
    fn loadavg_parses() {
        assert_eq!(parse_loadavg("4.67 5.20 3.39 3/812 12345\n"), Some([4.67, 5.20, 3.39]));
        assert_eq!(parse_loadavg("x"), None);
    }

    #[test]
    fn the_table_has_a_row_per_run_and_marks_short_connects() {
        let table = table(&[run(Kind::Budtags, 1_000, Some(step())), run(Kind::Sockudo, 990, None)]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(lines[0].starts_with("| server "), "{table}");
        assert!(
            lines[2].contains("| budtags ") && lines[2].contains(" 12.3 ") && lines[2].contains(" 99000 |")
        );
        assert!(lines[3].contains(" 990/1000 ") && lines[3].contains("none passed"), "{table}");
        assert!(lines.iter().all(|l| l.len() == lines[0].len()), "aligned:\n{table}");
    }
}
