//! `login-storm`: the same fanout quiet and with logins hammering the
//! server (bcrypt at the server's cost), to show whether hashing starves
//! the event loop. The target is a p99 within 20 % of the quiet phases.
//!
//! Quiet and stormy phases alternate (`--blocks`), so that a neighbour's
//! build or a slow minute on a shared machine lands on both kinds of phase
//! rather than on whichever ran second. A quiet phase starts once the
//! logins in flight have finished, so it has no hashing in it.
//!
//! Each login user holds one socket of its own throughout, so on presence
//! its logins change nobody's status: the storm adds hashing, not
//! broadcasts. Every login starts from a fresh cookie jar (a login over a
//! live login would end that one and close its socket). The login clients
//! run on a thread of their own, so their work never delays the
//! observers' timestamps.
//!
//! Two diagnostics (see `BENCHMARKS.md`): `--login-concurrency 0` runs no
//! logins, a control whose ratio is the measurement's own noise; adding
//! `--idle-spinner` spins a thread at idle priority through each stormy
//! phase instead, the hashing's CPU without any login request.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use tokio::sync::RwLock;

use crate::{
    account::{self, Login},
    cli::FanoutArgs,
    http::HttpConn,
    modes::{
        Ctx,
        fanout::{self, Rounds},
        report_opened,
    },
    observers::Pool,
    report::{CheckKind, Report},
    stats::{Latency, LoadMeter},
    target::Target,
};

/// The target: p99 with logins at most this times the quiet p99.
const TARGET_RATIO: f64 = 1.2;

/// What the login workers share.
#[derive(Default)]
struct Logins {
    done: AtomicU64,
    errors: AtomicU64,
    /// Held for writing by the main task through each quiet phase, and
    /// for reading by each login: taking it for a quiet phase waits for
    /// the logins in flight, and no login starts until it is let go.
    gate: RwLock<()>,
    stop: AtomicBool,
    latency: Mutex<Latency>,
}

/// What runs through the stormy phases.
pub struct Load {
    /// Logins in flight at once (0: none).
    pub concurrency: usize,
    /// A thread of the generator's spinning at idle priority.
    pub idle_spinner: bool,
}

/// Runs the mode.
pub async fn run(ctx: &Ctx, args: FanoutArgs, load: Load, blocks: usize) -> anyhow::Result<Report> {
    let concurrency = load.concurrency;
    let mut report = ctx.report("login-storm");
    report.param("observers", args.observers);
    report.param("rounds", args.rounds);
    report.param("blocks", blocks);
    report.param("login_concurrency", concurrency);
    if load.idle_spinner {
        report.param("idle_spinner", true);
    }
    let trigger = ctx.logins("t", 1).await?.remove(0);
    let login_users = ctx.logins("l", concurrency).await?;
    let (pool, opened) = ctx.observers("o", args.observers).await?;
    report_opened(&mut report, &opened);
    // One socket per login user, so that its logins broadcast nothing.
    let (holders, _) = Pool::open(
        &ctx.target,
        &login_users,
        login_users.len(),
        8,
        Duration::from_secs(30),
    )
    .await;

    let logins = Arc::new(Logins::default());
    let mut quiet_phase = Some(logins.gate.write().await);
    let clients = spawn_login_clients(
        ctx.target.clone(),
        login_users,
        ctx.common.password.clone(),
        logins.clone(),
    )?;
    let spinner = load
        .idle_spinner
        .then(|| spawn_idle_spinner(logins.clone()))
        .transpose()?;

    let meter = LoadMeter::start(&ctx.lag, ctx.common.server_pid);
    let (mut quiet, mut stormy) = (Rounds::default(), Rounds::default());
    let (mut storm_secs, mut done_during) = (0.0, 0);
    let mut block_ratios = Vec::with_capacity(blocks);
    for _ in 0..blocks.max(1) {
        let quiet_block = fanout::run_rounds(ctx, &pool, &trigger, args).await;
        quiet.merge(&quiet_block);

        drop(quiet_phase.take());
        // Let the first hashes get going before the clock starts.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (started, done_before) = (Instant::now(), logins.done.load(Ordering::SeqCst));
        let stormy_block = fanout::run_rounds(ctx, &pool, &trigger, args).await;
        stormy.merge(&stormy_block);
        block_ratios.push(p99_ratio(&quiet_block, &stormy_block));
        storm_secs += started.elapsed().as_secs_f64();
        done_during += logins.done.load(Ordering::SeqCst) - done_before;
        quiet_phase = Some(logins.gate.write().await);
    }
    logins.stop.store(true, Ordering::SeqCst);
    drop(quiet_phase);
    report.generator = meter.finish();
    // The login clients stop at their next gate check, within one login.
    let _ = tokio::task::spawn_blocking(move || {
        let _ = clients.join();
        spinner.map(std::thread::JoinHandle::join)
    })
    .await;

    quiet.report(&mut report, "quiet_", "quiet: ");
    stormy.report(&mut report, "storm_", "with logins: ");
    let ratio = p99_ratio(&quiet, &stormy);
    report.metric("p99_ratio", "p99 with logins / quiet", ratio);
    report_blocks(&mut report, &mut block_ratios);
    report.metric(
        "logins_per_sec",
        "logins/s during the storm",
        done_during as f64 / storm_secs.max(1e-9),
    );
    let login_latency = logins
        .latency
        .lock()
        .map(|l| l.summary())
        .unwrap_or_default();
    report.latency("login", "login (GET+POST)", &login_latency);
    let errors = logins.errors.load(Ordering::Relaxed);
    report.metric("login_errors", "login errors", errors as f64);
    if concurrency > 0 {
        report.check(
            CheckKind::Correctness,
            "logins happened during the storm",
            done_during > 0,
        );
    }
    report.check(CheckKind::Correctness, "no login failed", errors == 0);
    pool.report_dropped(&mut report);
    if concurrency == 0 {
        report.note(if load.idle_spinner {
            "no logins: a thread spinning at idle priority through each stormy phase \
             stands in for the hashing, without any login request"
        } else {
            "control run: no logins in either kind of phase, so the ratio is this \
             machine's noise between two p99s of this many events"
        });
    } else if ctx.is_presence() {
        report.check(
            CheckKind::Target,
            format!(
                "p99 with logins within {:.0} % of the quiet p99",
                (TARGET_RATIO - 1.0) * 100.0
            ),
            ratio <= TARGET_RATIO,
        );
    }
    holders.close().await;
    pool.close().await;
    Ok(report)
}

/// The stormy p99 over the quiet one.
fn p99_ratio(quiet: &Rounds, stormy: &Rounds) -> f64 {
    stormy.latency.summary().p99_ms / quiet.latency.summary().p99_ms.max(1e-3)
}

/// Reports the blocks one by one, each stormy phase against the quiet one
/// just before it. The pooled ratio above is the target's; it rests on the
/// worst 1 % of deliveries, so one burst from a neighbour on the host can
/// swing it either way. The median of the blocks' ratios, and how many
/// blocks came out worse with logins (about half, if logins change
/// nothing), shrug off a few such blocks.
fn report_blocks(report: &mut Report, ratios: &mut [f64]) {
    if ratios.is_empty() {
        return;
    }
    ratios.sort_by(f64::total_cmp);
    report.metric(
        "block_ratio_median",
        "per block: median p99 ratio",
        ratios[ratios.len() / 2],
    );
    let worse = ratios.iter().filter(|ratio| **ratio > 1.0).count();
    report.metric(
        "blocks_worse",
        &format!("per block: p99 higher with logins (of {})", ratios.len()),
        worse as f64,
    );
}

/// Starts one login client per user on a thread of its own, with its own
/// runtime: a login's client work (two requests, a form page to parse)
/// must not run on the thread that timestamps the observers' frames, or
/// the generator itself would delay the deliveries it measures. On the
/// real network the logins come from other machines.
fn spawn_login_clients(
    target: Arc<Target>,
    users: Vec<Login>,
    password: String,
    logins: Arc<Logins>,
) -> anyhow::Result<std::thread::JoinHandle<()>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let thread = std::thread::Builder::new()
        .name("login-clients".into())
        .spawn(move || {
            runtime.block_on(futures_util::future::join_all(users.into_iter().map(
                |user| log_in_loop(target.clone(), user, password.clone(), logins.clone()),
            )));
        })?;
    Ok(thread)
}

/// Starts the `--idle-spinner` thread: pure CPU work under `SCHED_IDLE`,
/// as the server's hashes run, through every stormy phase. It holds the
/// gate for a millisecond at a time, so a quiet phase waits at most that.
fn spawn_idle_spinner(logins: Arc<Logins>) -> anyhow::Result<std::thread::JoinHandle<()>> {
    let thread = std::thread::Builder::new()
        .name("idle-spinner".into())
        .spawn(move || {
            #[cfg(target_os = "linux")]
            {
                let param = libc::sched_param { sched_priority: 0 };
                // SAFETY: pid 0 is the calling thread; `param` outlives the call.
                unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
            }
            let mut x = 0x2545_f491_4f6c_dd1d_u64;
            loop {
                let _stormy_phase = logins.gate.blocking_read();
                if logins.stop.load(Ordering::SeqCst) {
                    break;
                }
                let until = Instant::now() + Duration::from_millis(1);
                while Instant::now() < until {
                    for _ in 0..1_000 {
                        // xorshift: work the core, not the memory.
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                    }
                    std::hint::black_box(x);
                }
            }
        })?;
    Ok(thread)
}

/// Logs `user` in again and again from fresh cookie jars until stopped.
async fn log_in_loop(target: Arc<Target>, user: Login, password: String, logins: Arc<Logins>) {
    let mut conn = HttpConn::new(target);
    let mut latency = Latency::default();
    loop {
        let _stormy_phase = logins.gate.read().await;
        if logins.stop.load(Ordering::SeqCst) {
            break;
        }
        let started = Instant::now();
        match account::log_in(&mut conn, &user.username, &password).await {
            Ok(Some(_)) => {
                logins.done.fetch_add(1, Ordering::Relaxed);
                latency.record(started.elapsed());
            }
            Ok(None) => {
                logins.errors.fetch_add(1, Ordering::Relaxed);
            }
            Err(err) => {
                if logins.errors.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("presence-bench: login failed: {err:#}");
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    if let Ok(mut total) = logins.latency.lock() {
        total.merge(&latency);
    }
}
