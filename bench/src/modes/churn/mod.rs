//! `churn` (issue 15): N observer sockets, each its own user, and C status
//! changes a second made with activity frames (`idle`, then `active`) on
//! those same open sockets, so no connect cost hides the delivery cost.
//!
//! Two phases run on the same sockets at the same N and C: first the full
//! feed (no socket watches: every change goes to every socket), then watch
//! mode (each socket sends `watch` with W users picked at random among the
//! N, and gets only their changes, plus the counts). Users change in turn
//! (user `k mod N` at change `k`), so one user's changes are N/C seconds
//! apart and every delivery can be told apart.
//!
//! Reported per phase: deliveries per change, server CPU per change (with
//! `--server-pid`), delivery latency of expected deliveries, missing and
//! duplicate deliveries, dropped sockets; for watch mode also the counts:
//! frames per socket per second, and how stale they were when the churn
//! stopped (from the last change until each socket had the final count).

mod phase;
mod sockets;

use std::{
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant},
};

use clap::{Args, ValueEnum};
use futures_util::{StreamExt, stream};
use tokio::sync::mpsc;

use self::{
    phase::{Phase, report_counts, settle},
    sockets::Shared,
};
use crate::{
    modes::Ctx,
    report::{CheckKind, Report},
    socket,
    stats::{Latency, LoadMeter},
};

/// The issue's targets.
const TARGET_OBSERVERS: usize = 10_000;
const TARGET_P99_MS: f64 = 50.0;

/// Which feeds to measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Feed {
    /// Watch mode only.
    Watch,
    /// The full feed only.
    Full,
    /// The full feed, then watch mode, on the same sockets.
    Both,
}

/// The sizes of a churn run.
#[derive(Args, Clone, Copy)]
pub struct ChurnArgs {
    /// Observer sockets, each its own user.
    #[arg(long, default_value_t = 10_000)]
    pub observers: usize,
    /// Users each socket watches, picked at random.
    #[arg(long, default_value_t = 50)]
    pub watch: usize,
    /// Status changes per second.
    #[arg(long, default_value_t = 1_000)]
    pub changes: u64,
    /// Seconds of churn per phase.
    #[arg(long, default_value_t = 60)]
    pub secs: u64,
    /// Which feeds to measure.
    #[arg(long, value_enum, default_value = "both")]
    pub feed: Feed,
}

/// Runs the mode.
pub async fn run(ctx: &Ctx, args: ChurnArgs) -> anyhow::Result<Report> {
    let mut report = ctx.report("churn");
    report.param("observers", args.observers);
    report.param("watch", args.watch);
    report.param("changes_per_sec", args.changes);
    report.param("secs", args.secs);
    let n = args.observers.max(1);
    let logins = ctx.logins("c", n).await?;
    ctx.warn_if_fds_short(n);
    let shared = Arc::new(Shared::new(format!("{}-c", ctx.common.prefix), n));
    // Watch mode alone opens as the pages do, on `/users/?watch` (no full
    // feed at any time); with the full feed, on `/users/`, where each
    // socket that opens is announced to every socket already open.
    let path = if args.feed == Feed::Watch {
        "/users/?watch"
    } else {
        "/users/"
    };
    let opened = Instant::now();
    let mut orders = Vec::with_capacity(n);
    let mut failed = 0;
    let mut handshakes = stream::iter(logins.iter().enumerate())
        .map(|(i, login)| {
            let target = ctx.target.clone();
            async move { (i, socket::open_at(&target, &login.cookie, path).await) }
        })
        .buffered(ctx.common.connect_concurrency.max(1));
    while let Some((i, ws)) = handshakes.next().await {
        let (tx, rx) = mpsc::unbounded_channel();
        orders.push(tx);
        match ws {
            Ok(ws) => drop(tokio::spawn(sockets::run(ws, i, shared.clone(), rx))),
            Err(_) => failed += 1,
        }
    }
    drop(handshakes);
    shared
        .quiesce(
            Duration::from_millis(500),
            Duration::from_secs(ctx.common.ready_timeout_secs),
        )
        .await;
    report.metric(
        "open_secs",
        "observers: opening s",
        opened.elapsed().as_secs_f64(),
    );
    report.check(
        CheckKind::Correctness,
        format!("every observer opened ({failed} failed)"),
        failed == 0 && shared.ready.load(Ordering::Relaxed) == n,
    );

    let whole = LoadMeter::start(&ctx.lag, ctx.common.server_pid);
    if args.feed != Feed::Watch {
        let expected = vec![n as u64; n];
        let phase = churn(ctx, &shared, &orders, &expected, args).await;
        phase.report(&mut report, "full_", "full feed: ");
    }
    if args.feed != Feed::Full {
        let (expected, answered) = send_watches(&shared, &orders, args.watch.min(n), n).await;
        report.check(
            CheckKind::Correctness,
            "watch: every watch answered before the changes".to_owned(),
            answered,
        );
        let phase = churn(ctx, &shared, &orders, &expected, args).await;
        phase.report(&mut report, "watch_", "watch: ");
        report_counts(&mut report, &shared, &phase);
        if ctx.is_presence() && args.observers >= TARGET_OBSERVERS {
            report.check(
                CheckKind::Target,
                format!("watched-delivery p99 under {TARGET_P99_MS} ms"),
                phase.latency.summary().p99_ms < TARGET_P99_MS,
            );
        }
    }
    report.generator = whole.finish();
    shared.drops.report(&mut report);
    shared.drops.stop();
    drop(orders);
    Ok(report)
}

/// Makes `args.changes` changes a second for `args.secs` seconds, each
/// change of user `u` expected by `expected[u]` sockets.
async fn churn(
    ctx: &Ctx,
    shared: &Shared,
    orders: &[mpsc::UnboundedSender<String>],
    expected: &[u64],
    args: ChurnArgs,
) -> Phase {
    if let Ok(mut latency) = shared.latency.lock() {
        *latency = Latency::default();
    }
    let n = orders.len();
    let total = args.changes.max(1) * args.secs;
    let meter = LoadMeter::start(&ctx.lag, ctx.common.server_pid);
    let started = Instant::now();
    let mut phase = Phase::default();
    for k in 0..total {
        let due = started + Duration::from_secs_f64(k as f64 / args.changes.max(1) as f64);
        tokio::time::sleep_until(due.into()).await;
        let user = (k % n as u64) as usize;
        settle(shared, user, expected[user], &mut phase);
        let slot = &shared.slots[user];
        let online = !slot.online.load(Ordering::Acquire);
        slot.online.store(online, Ordering::Release);
        slot.received.store(0, Ordering::Release);
        let now = shared.now_us().max(1);
        slot.sent_us.store(now, Ordering::Release);
        phase.last_change_us = now;
        let state = if online { "active" } else { "idle" };
        let _ = orders[user].send(format!(r#"{{"type":"activity","state":"{state}"}}"#));
        phase.changes += 1;
        phase.expected += expected[user];
    }
    // Let the last deliveries arrive (and the counts tick twice).
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let load = meter.finish();
    phase.wall_secs = started.elapsed().as_secs_f64();
    phase.server_cpu_secs = load.server_cpu_secs;
    phase.generator_cpu_percent = load.cpu_percent;
    for (user, expected) in expected.iter().enumerate() {
        settle(shared, user, *expected, &mut phase);
    }
    phase.away = shared
        .slots
        .iter()
        .filter(|s| !s.online.load(Ordering::Acquire))
        .count() as u64;
    if let Ok(mut latency) = shared.latency.lock() {
        phase.latency = std::mem::take(&mut *latency);
    }
    phase
}

/// Sends every socket a watch of `w` users picked at random (a fixed
/// seed), waits for the answers, and returns how many sockets hear of each
/// user's changes: its watchers, and its own socket, which the server
/// tells of its own user's changes whether it watches them or not; and
/// whether every answer came.
async fn send_watches(
    shared: &Shared,
    orders: &[mpsc::UnboundedSender<String>],
    w: usize,
    n: usize,
) -> (Vec<u64>, bool) {
    let mut watchers = vec![0u64; n];
    let answered_before = shared.presence_frames.load(Ordering::Relaxed);
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for (me, order) in orders.iter().enumerate() {
        let mut picked: Vec<usize> = Vec::with_capacity(w);
        while picked.len() < w {
            // xorshift64: enough to spread the picks, no dependency.
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let user = (seed % n as u64) as usize;
            if !picked.contains(&user) {
                picked.push(user);
            }
        }
        let names: Vec<String> = picked
            .iter()
            .map(|u| format!("{}{u}", shared.name_prefix))
            .collect();
        if !picked.contains(&me) {
            watchers[me] += 1;
        }
        for user in picked {
            watchers[user] += 1;
        }
        let frame = serde_json::json!({"type": "watch", "usernames": names}).to_string();
        let _ = order.send(frame);
    }
    // Each answer is one presence frame per watched user. Changes start
    // only once every answer has come: a quiet spell alone is not enough,
    // because the last frame before the watches already lies that far
    // back, and the first changes would then queue behind the server's
    // answers (500,000 frames at 10,000 sockets) and measure the setup.
    let answers = answered_before + (orders.len() * w) as u64;
    let answered = shared
        .until_presence_frames(answers, Duration::from_secs(120))
        .await;
    shared
        .quiesce(Duration::from_millis(500), Duration::from_secs(60))
        .await;
    (watchers, answered)
}
