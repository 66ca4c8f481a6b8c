//! The fan-out bench: for each client count, `--repeat` times, each server
//! in turn (ours first, then Sockudo first on the next repetition, so both
//! see the same machine minutes apart at most):
//!
//! 1. start the server process; read its resident memory;
//! 2. connect and subscribe every client; read its resident memory again;
//! 3. one warm-up round, then `--events` measured rounds: one event through
//!    the HTTP trigger API, the next only once every client has it (or the
//!    round timed out, its missing deliveries counted as missed);
//! 4. at the sustained client count, trigger at rising rates, each for
//!    `--step-secs`, until a step fails (p99 over 250 ms, a loss, or the
//!    rate not kept);
//! 5. kill the server, then drop the clients.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use tokio::sync::Semaphore;

use crate::{
    Error,
    cli::{self, FanoutArgs},
    clients::{self, CHANNEL, Clients},
    record::{Phase, Recorder, Stamp},
    report::{self, Fanout, Report, Run, Step, Sustained},
    server::{self, App, Kind, ServerProcess},
    trigger::Trigger,
};

/// Pause after a server starts, and after the clients subscribed, before memory is read.
const SETTLE: Duration = Duration::from_secs(1);
/// How often the bench checks whether a round is complete.
const POLL: Duration = Duration::from_millis(1);

/// Everything a run needs besides the client count.
pub struct Plan {
    pub args: FanoutArgs,
    pub server: PathBuf,
    pub sockudo: Option<PathBuf>,
    pub app: App,
}

/// Runs every (client count, server) pair, printing progress to stderr.
pub async fn run(plan: &Plan, started_at: u64, load_before: [f64; 3]) -> Result<Report, Error> {
    let mut runs = Vec::new();
    for &clients in &plan.args.clients {
        for rep in 0..plan.args.repeat {
            for kind in cli::server_order(rep, plan.sockudo.is_some()) {
                let binary = match kind {
                    Kind::Budtags => plan.server.as_path(),
                    Kind::Sockudo => {
                        plan.sockudo.as_deref().expect("Sockudo is in the order only when given")
                    }
                };
                let run = run_one(plan, kind, binary, clients, rep).await?;
                eprintln!("{}", report::table(std::slice::from_ref(&run)).lines().last().unwrap_or_default());
                runs.push(run);
                // Let the closed sockets drain before the next server starts.
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
    Ok(Report {
        bench: "server fan-out",
        started_at,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        load_before,
        load_after: crate::loadavg(),
        sockudo_skipped: plan.sockudo.is_none().then(|| "no Sockudo binary (see --sockudo)".to_owned()),
        medians: report::medians(&runs),
        runs,
    })
}

async fn run_one(plan: &Plan, kind: Kind, binary: &Path, count: u32, rep: u32) -> Result<Run, Error> {
    let args = &plan.args;
    let load = crate::loadavg();
    eprintln!(
        "\n==> {} with {count} clients, run {rep} (load {:.2} {:.2} {:.2})",
        kind.name(),
        load[0],
        load[1],
        load[2]
    );
    let mut server = match kind {
        Kind::Budtags => ServerProcess::start_budtags(binary, &plan.app)?,
        Kind::Sockudo => ServerProcess::start_sockudo(binary, &plan.app)?,
    };
    tokio::time::sleep(SETTLE).await;
    let rss_before = server.rss()?;

    let sustain = args.sustain_at() == Some(count);
    let steps = if sustain { args.rate.len() } else { 0 };
    let recorder = Arc::new(Recorder::new(args.events as usize, steps));
    let url = format!(
        "ws://127.0.0.1:{}/app/{}?protocol=7&client=bench&version=1&flash=false",
        server.port, plan.app.key
    );
    let mut clients = clients::connect(&url, count, args.connect_concurrency, recorder.clone()).await;
    eprintln!(
        "    {} connected in {:.1?}{}",
        clients.connected,
        clients.elapsed,
        clients
            .first_error
            .as_deref()
            .map(|e| format!(", {} failed: {e}", clients.failed))
            .unwrap_or_default()
    );
    if clients.connected == 0 {
        return Err(Error::Setup(format!(
            "no client could subscribe to {}: {}",
            kind.name(),
            server.log_tail()
        )));
    }
    tokio::time::sleep(SETTLE).await;
    let rss_subscribed = server.rss()?;

    let trigger = Trigger::new(server.port, plan.app.clone());
    let fanout = rounds(args, &server, &trigger, &recorder, &clients).await?;
    let rss_after_rounds = server.rss()?;
    eprintln!("    rounds: p99 {:?} ms, missed {}", fanout.latency.p99_ms, fanout.missed);

    let sustained =
        if sustain { Some(sustained(args, &server, &trigger, &recorder, &clients).await) } else { None };
    let clients_open_at_end = clients.open();
    let server_alive_at_end = server.alive();
    let server_log_lines = server.log_lines();
    if server_log_lines > 0 {
        eprintln!("    {} logged {server_log_lines} lines; the last:\n{}", kind.name(), server.log_tail());
    }
    let (connected, failed, elapsed) = (clients.connected, clients.failed, clients.elapsed);
    let first_error = clients.first_error.take();
    // The server goes first, so the closed connections wait out TIME_WAIT
    // on its side, not on this side's ephemeral ports.
    drop(server);
    drop(clients);

    let mb = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    Ok(Run {
        server: kind,
        clients: count,
        rep,
        connected,
        connect_failures: failed,
        connect_error: first_error,
        connect_s: elapsed.as_secs_f64(),
        load,
        rss_before_mb: mb(rss_before),
        rss_subscribed_mb: mb(rss_subscribed),
        rss_after_rounds_mb: mb(rss_after_rounds),
        kb_per_connection: rss_subscribed.saturating_sub(rss_before) as f64 / 1024.0 / f64::from(connected),
        fanout,
        sustained,
        clients_open_at_end,
        server_alive_at_end,
        server_log_lines,
    })
}

/// The warm-up round, then the measured rounds, back to back.
async fn rounds(
    args: &FanoutArgs,
    server: &ServerProcess,
    trigger: &Trigger,
    recorder: &Recorder,
    clients: &Clients,
) -> Result<Fanout, Error> {
    let expected = u64::from(clients.connected);
    let timeout = args.round_timeout();
    let warmup = Stamp { phase: Phase::Warmup, seq: 0, sent_us: clients::now_us() };
    trigger.send(CHANNEL, warmup.encode()).await?;
    wait_for(|| recorder.warmup_deliveries() >= expected, timeout).await;

    let cpu_before = server.cpu_time()?;
    let own_cpu_before = server::cpu_time("self")?;
    let started = Instant::now();
    let mut timed_out_rounds = 0;
    for round in 0..args.events {
        let stamp = Stamp { phase: Phase::Round, seq: round, sent_us: clients::now_us() };
        trigger.send(CHANNEL, stamp.encode()).await?;
        if !wait_for(|| recorder.round_deliveries(round as usize) >= expected, timeout).await {
            timed_out_rounds += 1;
        }
    }
    let elapsed = started.elapsed();
    let cpu = server.cpu_time()?.saturating_sub(cpu_before);
    let own_cpu = server::cpu_time("self")?.saturating_sub(own_cpu_before);
    let latency = recorder.round_latency();
    Ok(Fanout {
        rounds: args.events,
        deliveries: latency.total(),
        missed: recorder.rounds_missed(expected),
        timed_out_rounds,
        latency: latency.summary(),
        server_cpu_ms_per_round: cpu.as_secs_f64() * 1_000.0 / f64::from(args.events),
        bench_cpu_ms_per_round: own_cpu.as_secs_f64() * 1_000.0 / f64::from(args.events),
        rounds_per_s: f64::from(args.events) / elapsed.as_secs_f64(),
    })
}

/// The sustained steps, in order, until one fails.
async fn sustained(
    args: &FanoutArgs,
    server: &ServerProcess,
    trigger: &Trigger,
    recorder: &Recorder,
    clients: &Clients,
) -> Sustained {
    let mut steps = Vec::new();
    for (n, &target) in args.rate.iter().enumerate() {
        let step = step(args, server, trigger, recorder, u64::from(clients.connected), n, target).await;
        eprintln!(
            "    sustained {target} ev/s: {:.1} ev/s, {:.0} deliveries/s, p99 {:?} ms, missed {}, errors {}",
            step.events_per_s, step.deliveries_per_s, step.latency.p99_ms, step.missed, step.trigger_errors
        );
        let passed = step.passed;
        steps.push(step);
        if !passed {
            break;
        }
    }
    let best = steps.iter().rfind(|step| step.passed).cloned();
    Sustained { clients: clients.connected, steps, best }
}

/// One sustained step: `target` events a second for `--step-secs`, at most
/// `--in-flight` requests outstanding, then up to a round timeout for the
/// deliveries to arrive.
async fn step(
    args: &FanoutArgs,
    server: &ServerProcess,
    trigger: &Trigger,
    recorder: &Recorder,
    expected: u64,
    n: usize,
    target: u32,
) -> Step {
    let in_flight = Arc::new(Semaphore::new(args.in_flight as usize));
    let sent = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let events = u64::from(target) * args.step_secs;
    let period = Duration::from_secs(1).div_f64(f64::from(target));
    let cpu_before = server.cpu_time().unwrap_or_default();
    let start = tokio::time::Instant::now();
    for seq in 0..events {
        tokio::time::sleep_until(start + period.mul_f64(seq as f64)).await;
        let permit = in_flight.clone().acquire_owned().await.expect("the semaphore is never closed");
        let (trigger, sent, errors) = (trigger.clone(), sent.clone(), errors.clone());
        let phase = Phase::Step(n as u16);
        tokio::spawn(async move {
            let stamp = Stamp { phase, seq: seq as u32, sent_us: clients::now_us() };
            match trigger.send(CHANNEL, stamp.encode()).await {
                Ok(()) => sent.fetch_add(1, Ordering::Relaxed),
                Err(e) => {
                    if errors.fetch_add(1, Ordering::Relaxed) == 0 {
                        eprintln!("    trigger failed: {e}");
                    }
                    0
                }
            };
            drop(permit);
        });
    }
    // Every request answered.
    let _all = in_flight.acquire_many(args.in_flight).await.expect("the semaphore is never closed");
    let triggering = start.elapsed().max(args.step_duration());
    let sent = sent.load(Ordering::Relaxed);
    let wanted = sent * expected;
    wait_for(|| recorder.step_deliveries(n) >= wanted, args.round_timeout()).await;
    let delivering = start.elapsed();
    let cpu = server.cpu_time().unwrap_or_default().saturating_sub(cpu_before);
    let deliveries = recorder.step_deliveries(n);
    let latency = recorder.step_latency(n).summary();
    let events_per_s = sent as f64 / triggering.as_secs_f64();
    let missed = wanted.saturating_sub(deliveries);
    let trigger_errors = errors.load(Ordering::Relaxed);
    Step {
        target_events_per_s: target,
        events_sent: sent,
        trigger_errors,
        events_per_s,
        deliveries,
        deliveries_per_s: deliveries as f64 / delivering.as_secs_f64(),
        missed,
        latency,
        server_cpu_share: cpu.as_secs_f64() / delivering.as_secs_f64(),
        passed: report::step_passes(target, events_per_s, missed, trigger_errors, latency.p99_ms),
    }
}

/// Polls `done` until it holds (true) or `timeout` passes (false).
async fn wait_for(done: impl Fn() -> bool, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(POLL).await;
    }
}
