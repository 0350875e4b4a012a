//! `connect`: open N authenticated sockets as fast as the server takes
//! them; report sockets per second and the server's memory per socket.
//!
//! The rate counts from the first handshake until every socket has its
//! first frame (the snapshot on presence, the socket's own presence frame
//! on Django and Node), so a server that accepts quickly but registers slowly does
//! not look fast. Memory is the growth of the server's `VmRSS` across the
//! opening, after a short hold, divided by the sockets.

use std::time::Duration;

use crate::{
    modes::{Ctx, report_opened},
    observers::Pool,
    report::{CheckKind, Report},
    stats::LoadMeter,
};

/// The targets.
const TARGET_SOCKETS: usize = 20_000;
const TARGET_KIB_PER_SOCKET: f64 = 16.0;
const TARGET_PER_SEC: f64 = 2_000.0;

/// Runs the mode.
pub async fn run(ctx: &Ctx, sockets: usize, hold_secs: u64, path: &str) -> anyhow::Result<Report> {
    let mut report = ctx.report("connect");
    report.param("sockets", sockets);
    report.param("path", path);
    report.param("sockets_per_user", ctx.common.sockets_per_user);
    report.param("sources", ctx.common.sources);
    report.param("connect_concurrency", ctx.common.connect_concurrency);

    let users = sockets.div_ceil(ctx.common.sockets_per_user.max(1)).max(1);
    let logins = ctx.logins("c", users).await?;
    ctx.warn_if_fds_short(sockets);
    // Let the logins' own broadcasts and allocations settle first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = ctx.server_rss_kib();

    let meter = LoadMeter::start(&ctx.lag, ctx.common.server_pid);
    let (pool, opened) = Pool::open_at(
        &ctx.target,
        &logins,
        sockets,
        ctx.common.connect_concurrency,
        Duration::from_secs(ctx.common.ready_timeout_secs),
        path,
    )
    .await;
    report.generator = meter.finish();
    tokio::time::sleep(Duration::from_secs(hold_secs)).await;
    let rss_after = ctx.server_rss_kib();
    let held = pool.live();

    let secs = opened.elapsed.as_secs_f64().max(1e-9);
    let per_sec = opened.sockets as f64 / secs;
    report.metric("sockets_open", "sockets held open", held as f64);
    report.metric("sockets_per_sec", "sockets/s", per_sec);
    // With `--connect-concurrency 1` these are one handshake at a time,
    // the server's own latency; with many in flight, queueing too.
    report.latency("handshake", "handshake (dial to 101)", &opened.handshake);
    report.latency("first_frame", "dial to first frame", &opened.first_frame);
    report.server_cost(
        "server_us_per_socket",
        "server CPU µs per socket opened",
        opened.sockets as u64,
    );
    report_opened(&mut report, &opened);
    report.check(
        CheckKind::Correctness,
        format!("every socket still open after {hold_secs} s ({held})"),
        held == opened.sockets,
    );

    let per_socket = match (rss_before, rss_after) {
        (Some(before), Some(after)) if opened.sockets > 0 => {
            report.metric(
                "rss_before_mib",
                "server RSS before MiB",
                before as f64 / 1024.0,
            );
            report.metric(
                "rss_after_mib",
                "server RSS after MiB",
                after as f64 / 1024.0,
            );
            let per_socket = after.saturating_sub(before) as f64 / opened.sockets as f64;
            report.metric(
                "rss_per_socket_kib",
                "server RSS per socket KiB",
                per_socket,
            );
            Some(per_socket)
        }
        _ => {
            report.note("no --server-pid: server memory not measured");
            None
        }
    };

    pool.report_dropped(&mut report);
    // The targets are about a full-size run; a smoke run only checks
    // correctness. (The open-file limit may cap a full run just short of
    // 20,000, so half of it counts as full size.)
    if ctx.is_presence() && sockets >= TARGET_SOCKETS / 2 {
        report.check(
            CheckKind::Target,
            format!("{TARGET_SOCKETS} sockets held open"),
            held >= TARGET_SOCKETS,
        );
        report.check(
            CheckKind::Target,
            format!("at most {TARGET_KIB_PER_SOCKET} KiB of server RSS per socket"),
            per_socket.is_some_and(|kib| kib <= TARGET_KIB_PER_SOCKET),
        );
        report.check(
            CheckKind::Target,
            format!("at least {TARGET_PER_SEC} sockets/s"),
            per_sec >= TARGET_PER_SEC,
        );
    }
    pool.close().await;
    Ok(report)
}
