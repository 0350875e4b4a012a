//! `storm`: T users toggle (connect, wait for the first frame, close) as
//! fast as they can for S seconds while N observers read. Reported: frames
//! delivered to observers per second, and every observer the server
//! dropped although it was reading.
//!
//! On presence and Node each toggle of a user with no other socket is two
//! events (first socket, last socket); on Django every connect and
//! disconnect is one. Either way every
//! observer should get every event, so the report also gives the share of
//! the `2 × toggles × observers` upper bound that arrived.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

use crate::{
    account::Login,
    modes::{Ctx, fanout, report_opened},
    report::{CheckKind, Report},
    socket,
    stats::{Latency, LoadMeter},
    target::Target,
};

/// The targets.
const TARGET_OBSERVERS: usize = 1_000;
const TARGET_FRAMES_PER_SEC: f64 = 200_000.0;

/// What the togglers share.
#[derive(Default)]
struct Toggles {
    done: AtomicU64,
    errors: AtomicU64,
    stop: AtomicBool,
}

/// Runs the mode.
pub async fn run(
    ctx: &Ctx,
    observers: usize,
    togglers: usize,
    secs: u64,
) -> anyhow::Result<Report> {
    let mut report = ctx.report("storm");
    report.param("observers", observers);
    report.param("togglers", togglers);
    report.param("secs", secs);
    let toggler_logins = ctx.logins("s", togglers).await?;
    let (pool, opened) = ctx.observers("o", observers).await?;
    report_opened(&mut report, &opened);

    let toggles = Arc::new(Toggles::default());
    let cycle = Arc::new(std::sync::Mutex::new(Latency::default()));
    let meter = LoadMeter::start(&ctx.lag, ctx.common.server_pid);
    let frames_before = pool.frames();
    let started = Instant::now();
    let tasks: Vec<_> = toggler_logins
        .into_iter()
        .map(|login| {
            tokio::spawn(toggle(
                ctx.target.clone(),
                login,
                toggles.clone(),
                cycle.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    toggles.stop.store(true, Ordering::Release);
    let window = started.elapsed();
    let frames_in_window = pool.frames() - frames_before;
    report.generator = meter.finish();
    for task in tasks {
        let _ = task.await;
    }
    pool.quiesce(Duration::from_millis(500), Duration::from_secs(30))
        .await;
    let frames_total = pool.frames() - frames_before;

    let done = toggles.done.load(Ordering::Relaxed);
    let per_sec = frames_in_window as f64 / window.as_secs_f64();
    let bound = 2 * done * pool.live() as u64;
    report.metric("frames_per_sec", "frames delivered/s", per_sec);
    report.metric(
        "toggles_per_sec",
        "toggles/s",
        done as f64 / window.as_secs_f64(),
    );
    report.metric(
        "frames_total",
        "frames delivered (after drain)",
        frames_total as f64,
    );
    if bound > 0 {
        report.metric(
            "coverage_pct",
            "% of 2 x toggles x observers",
            100.0 * frames_total as f64 / bound as f64,
        );
    }
    let cycle = cycle.lock().map(|c| c.summary()).unwrap_or_default();
    report.latency("toggle", "toggle cycle", &cycle);
    let errors = toggles.errors.load(Ordering::Relaxed);
    report.metric("toggle_errors", "toggle errors", errors as f64);
    report.check(
        CheckKind::Correctness,
        "observers received frames",
        frames_total > 0,
    );
    report.check(CheckKind::Correctness, "no toggle failed", errors == 0);
    pool.report_dropped(&mut report);
    if ctx.is_presence() && observers >= TARGET_OBSERVERS {
        report.check(
            CheckKind::Target,
            format!("at least {TARGET_FRAMES_PER_SEC} frames/s at {TARGET_OBSERVERS} observers"),
            per_sec >= TARGET_FRAMES_PER_SEC,
        );
    }
    pool.close().await;
    Ok(report)
}

/// One toggling user: connect, wait for the first frame, close, repeat.
async fn toggle(
    target: Arc<Target>,
    login: Login,
    toggles: Arc<Toggles>,
    cycle: Arc<std::sync::Mutex<Latency>>,
) {
    let mut local = Latency::default();
    while !toggles.stop.load(Ordering::Acquire) {
        let started = Instant::now();
        match toggle_once(&target, &login).await {
            Ok(()) => {
                toggles.done.fetch_add(1, Ordering::Relaxed);
                local.record(started.elapsed());
            }
            Err(err) => {
                if toggles.errors.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("presence-bench: toggle failed: {err:#}");
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    if let Ok(mut cycle) = cycle.lock() {
        cycle.merge(&local);
    }
}

async fn toggle_once(target: &Target, login: &Login) -> anyhow::Result<()> {
    let mut ws = socket::open(target, &login.cookie).await?;
    let first = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(_))) => return Ok(()),
                Some(Ok(_)) => {}
                Some(Err(err)) => return Err(anyhow::Error::new(err)),
                None => anyhow::bail!("closed before the first frame"),
            }
        }
    });
    first.await??;
    // Wait for the server's close frame, so this user's next connect finds
    // the previous socket gone, then drop the connection (presence keeps
    // it open for about a second after the closing handshake).
    ws.close(None).await?;
    let _ = tokio::time::timeout(Duration::from_secs(5), fanout::until_closed(&mut ws)).await;
    Ok(())
}
