//! `fanout`: with N observers open, a trigger user connects and
//! disconnects R times. Every connect is one "online" event and every
//! disconnect one "offline" event; for each, every observer must receive
//! exactly one presence frame about the trigger.
//!
//! Reported: per-delivery latency, the time until the last observer has
//! the event, and every delivery that never came.

use std::{sync::Arc, time::Duration};

use futures_util::StreamExt;

use crate::{
    account::Login,
    cli::FanoutArgs,
    modes::{Ctx, report_opened},
    observers::Pool,
    report::{CheckKind, Report},
    round::Round,
    socket::{self, Ws},
    stats::{Latency, LoadMeter},
};

/// The targets.
const TARGET_OBSERVERS: usize = 10_000;
const TARGET_P99_MS: f64 = 50.0;

/// What a series of rounds measured.
#[derive(Default)]
pub struct Rounds {
    /// Per-delivery latency.
    pub latency: Latency,
    /// Per event: until the last observer had it.
    pub time_to_last: Latency,
    /// Events caused.
    pub events: usize,
    /// Deliveries that never came.
    pub missing: usize,
    /// Events that some observer never got.
    pub events_short: usize,
    /// Deliveries an observer got twice.
    pub duplicates: usize,
    /// Trigger handshakes that failed.
    pub trigger_errors: usize,
}

impl Rounds {
    /// Adds another series' numbers to these.
    pub fn merge(&mut self, other: &Rounds) {
        self.latency.merge(&other.latency);
        self.time_to_last.merge(&other.time_to_last);
        self.events += other.events;
        self.missing += other.missing;
        self.events_short += other.events_short;
        self.duplicates += other.duplicates;
        self.trigger_errors += other.trigger_errors;
    }

    /// Puts the numbers in `report`, prefixed by `key`/`label`.
    pub fn report(&self, report: &mut Report, key: &str, label: &str) {
        report.metric(
            &format!("{key}events"),
            &format!("{label}events"),
            self.events as f64,
        );
        report.latency(
            &format!("{key}delivery"),
            &format!("{label}delivery"),
            &self.latency.summary(),
        );
        report.latency(
            &format!("{key}last"),
            &format!("{label}last observer"),
            &self.time_to_last.summary(),
        );
        report.deliveries_wrong(key, label, self.missing as u64, self.duplicates as u64);
        report.check(
            CheckKind::Correctness,
            format!(
                "{label}every observer served in every round ({} of {} events short)",
                self.events_short, self.events
            ),
            self.missing == 0
                && self.events_short == 0
                && self.trigger_errors == 0
                && self.events > 0,
        );
    }
}

/// Runs the mode.
pub async fn run(ctx: &Ctx, args: FanoutArgs) -> anyhow::Result<Report> {
    let mut report = ctx.report("fanout");
    report.param("observers", args.observers);
    report.param("rounds", args.rounds);
    report.param("sockets_per_user", ctx.common.sockets_per_user);
    let trigger = ctx.logins("t", 1).await?.remove(0);
    let (pool, opened) = ctx.observers("o", args.observers).await?;
    report_opened(&mut report, &opened);

    let meter = LoadMeter::start(&ctx.lag, ctx.common.server_pid);
    let rounds = run_rounds(ctx, &pool, &trigger, args).await;
    report.generator = meter.finish();
    rounds.report(&mut report, "", "");
    report.server_cost(
        "server_us_per_delivery",
        "server CPU µs per delivery",
        rounds.latency.count(),
    );
    pool.report_dropped(&mut report);
    if ctx.is_presence() && args.observers >= TARGET_OBSERVERS {
        report.check(
            CheckKind::Target,
            format!("delivery p99 under {TARGET_P99_MS} ms at {TARGET_OBSERVERS} observers"),
            rounds.latency.summary().p99_ms < TARGET_P99_MS,
        );
    }
    pool.close().await;
    Ok(report)
}

/// Connects and disconnects `trigger` `args.rounds` times, timing each
/// event on every observer of `pool`.
pub async fn run_rounds(ctx: &Ctx, pool: &Pool, trigger: &Login, args: FanoutArgs) -> Rounds {
    let mut rounds = Rounds::default();
    let pause = Duration::from_millis(args.pause_ms);
    for _ in 0..args.rounds {
        let round = Arc::new(Round::start(&trigger.username, true, pool.live()));
        pool.watch(round.clone());
        let ws = socket::open(&ctx.target, &trigger.cookie).await;
        let ws = match ws {
            Ok(ws) => ws,
            Err(err) => {
                pool.unwatch();
                rounds.trigger_errors += 1;
                eprintln!("presence-bench: trigger could not connect: {err:#}");
                tokio::time::sleep(pause).await;
                continue;
            }
        };
        rounds.absorb(round.wait(ctx.round_timeout()).await);
        pool.unwatch();
        tokio::time::sleep(pause).await;

        let round = Arc::new(Round::start(&trigger.username, false, pool.live()));
        pool.watch(round.clone());
        close(ws);
        rounds.absorb(round.wait(ctx.round_timeout()).await);
        pool.unwatch();
        tokio::time::sleep(pause).await;
    }
    rounds
}

impl Rounds {
    /// Adds one event's outcome.
    pub fn absorb(&mut self, outcome: crate::round::Outcome) {
        self.events += 1;
        self.latency.merge(&outcome.latency);
        if let Some(last) = outcome.time_to_last {
            self.time_to_last.record(last);
        }
        self.missing += outcome.missing;
        self.duplicates += outcome.duplicates;
        if outcome.missing > 0 {
            self.events_short += 1;
        }
    }
}

/// Sends a close frame now, and finishes the closing handshake in the
/// background so the caller's clock is not held up by it.
pub fn close(mut ws: Ws) {
    tokio::spawn(async move {
        if ws.close(None).await.is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(5), until_closed(&mut ws)).await;
        }
    });
}

/// Reads until the server's close frame (or the end of the stream).
pub async fn until_closed(ws: &mut Ws) {
    while let Some(Ok(message)) = ws.next().await {
        if message.is_close() {
            break;
        }
    }
}
