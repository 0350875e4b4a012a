//! `page`: the latency of `GET /` (the full user list) with U accounts,
//! O of them online, while K clients request it back to back.
//!
//! Setup signs up the U accounts once per database: a marker account,
//! created after all the others, tells a later run they exist. The online
//! users come online by logging in (`--online-via logins`, the default:
//! run presence with a grace period longer than the run) or by each
//! holding one socket (`--online-via sockets`).

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context as _;

use crate::{
    account::{self, Login},
    cli::OnlineVia,
    http::HttpConn,
    modes::{Ctx, report_opened},
    observers::Pool,
    report::{CheckKind, Report},
    stats::{Latency, LoadMeter},
    target::Target,
};

/// The issue's targets.
const TARGET_USERS: usize = 100_000;
const TARGET_ONLINE: usize = 10_000;
const TARGET_P99_MS: f64 = 50.0;

/// What the requesting clients share.
#[derive(Default)]
struct Requests {
    done: AtomicU64,
    errors: AtomicU64,
    bytes: AtomicU64,
    stop: AtomicBool,
    latency: Mutex<Latency>,
}

/// The sizes of a page run.
pub struct Sizes {
    /// Accounts that exist.
    pub users: usize,
    /// Of them online.
    pub online: usize,
    /// How they come online.
    pub online_via: OnlineVia,
    /// Requests in flight.
    pub concurrency: usize,
    /// How long to request, in seconds.
    pub secs: u64,
}

/// Runs the mode.
pub async fn run(ctx: &Ctx, sizes: Sizes) -> anyhow::Result<Report> {
    let mut report = ctx.report("page");
    report.param("users", sizes.users);
    report.param("online", sizes.online);
    report.param(
        "online_via",
        format!("{:?}", sizes.online_via).to_lowercase(),
    );
    report.param("concurrency", sizes.concurrency);
    report.param("secs", sizes.secs);
    let setup = Instant::now();
    ensure_users(ctx, sizes.users).await?;
    report.metric(
        "setup_users_secs",
        "setup: accounts s",
        setup.elapsed().as_secs_f64(),
    );

    let online = sizes.online.min(sizes.users);
    let online_logins = ctx.logins("p", online).await?;
    // With logins alone the users are online already; sockets are held
    // by the pool until the end.
    let pool = match sizes.online_via {
        OnlineVia::Logins => None,
        OnlineVia::Sockets => {
            ctx.warn_if_fds_short(online);
            let (pool, opened) = Pool::open(
                &ctx.target,
                &online_logins,
                online,
                ctx.common.connect_concurrency,
                Duration::from_secs(ctx.common.ready_timeout_secs),
            )
            .await;
            pool.quiesce(Duration::from_millis(500), Duration::from_secs(600))
                .await;
            report_opened(&mut report, &opened);
            Some(pool)
        }
    };
    report.metric(
        "setup_secs",
        "setup: total s",
        setup.elapsed().as_secs_f64(),
    );
    let viewer = ctx.logins("viewer", 1).await?.remove(0);
    let first = HttpConn::new(ctx.target.clone())
        .get("/", &viewer.cookie)
        .await?;
    // A page may list only some users (paginated); this is informative.
    let shown = count(&first.body, r#"data-status="online""#);
    report.metric("shown_online", "users the page shows online", shown as f64);

    let requests = Arc::new(Requests::default());
    let meter = LoadMeter::start(&ctx.lag, ctx.common.server_pid);
    let started = Instant::now();
    let clients: Vec<_> = (0..sizes.concurrency.max(1))
        .map(|_| {
            let (target, requests) = (ctx.target.clone(), requests.clone());
            tokio::spawn(request_loop(target, viewer.clone(), requests))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(sizes.secs)).await;
    requests.stop.store(true, Ordering::Release);
    for client in clients {
        let _ = client.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    report.generator = meter.finish();

    let done = requests.done.load(Ordering::Relaxed);
    let latency = requests
        .latency
        .lock()
        .map(|l| l.summary())
        .unwrap_or_default();
    report.metric("requests_per_sec", "GET / per s", done as f64 / elapsed);
    report.latency("page", "GET /", &latency);
    report.server_cost("server_us_per_request", "server CPU µs per GET /", done);
    if done > 0 {
        let kib = requests.bytes.load(Ordering::Relaxed) as f64 / done as f64 / 1024.0;
        report.metric("page_kib", "page size KiB", kib);
    }
    let errors = requests.errors.load(Ordering::Relaxed);
    report.check(
        CheckKind::Correctness,
        "every GET / answered 200",
        errors == 0 && done > 0,
    );
    if ctx.is_presence() && sizes.users >= TARGET_USERS && online >= TARGET_ONLINE {
        report.check(
            CheckKind::Target,
            format!(
                "GET / p99 under {TARGET_P99_MS} ms at {TARGET_USERS} users, {TARGET_ONLINE} online"
            ),
            latency.p99_ms < TARGET_P99_MS,
        );
    }
    if let Some(pool) = pool {
        pool.close().await;
    }
    Ok(report)
}

/// How often `needle` occurs in `haystack`.
fn count(haystack: &[u8], needle: &str) -> usize {
    haystack
        .windows(needle.len())
        .filter(|window| *window == needle.as_bytes())
        .count()
}

/// Signs up `PREFIX-p0 .. PREFIX-p{users-1}` unless a marker says a
/// previous run did.
async fn ensure_users(ctx: &Ctx, users: usize) -> anyhow::Result<()> {
    let marker = format!("{}-pdone{users}", ctx.common.prefix);
    let password = &ctx.common.password;
    let mut conn = HttpConn::new(ctx.target.clone());
    if account::log_in(&mut conn, &marker, password)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let names = account::names(&ctx.common.prefix, "p", users);
    account::ensure_signed_up(&ctx.target, names, password, ctx.common.setup_concurrency)
        .await
        .context("signing up the page users")?;
    account::SignUpForm::default()
        .sign_up(&mut conn, &marker, password)
        .await
}

/// Requests `/` as `viewer` back to back until stopped.
async fn request_loop(target: Arc<Target>, viewer: Login, requests: Arc<Requests>) {
    let mut conn = HttpConn::new(target);
    let mut latency = Latency::default();
    while !requests.stop.load(Ordering::Acquire) {
        let started = Instant::now();
        match conn.get("/", &viewer.cookie).await {
            Ok(response) if response.status == 200 => {
                latency.record(started.elapsed());
                requests.done.fetch_add(1, Ordering::Relaxed);
                requests
                    .bytes
                    .fetch_add(response.body.len() as u64, Ordering::Relaxed);
            }
            Ok(response) => {
                if requests.errors.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("presence-bench: GET / answered {}", response.status);
                }
            }
            Err(err) => {
                if requests.errors.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("presence-bench: GET / failed: {err:#}");
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    if let Ok(mut total) = requests.latency.lock() {
        total.merge(&latency);
    }
}
