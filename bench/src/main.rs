//! `presence-bench`: the load generator for presence (issue 6).
//!
//! It speaks only the public protocol (the sign-up and login forms with
//! their CSRF tokens, session cookies, and the WebSocket at `/users/`),
//! so the same binary measures presence, the Django Channels baseline in
//! `bench/django-baseline` (`--flavor django`) and the Express + ws one in
//! `bench/node-baseline` (`--flavor node`).
//!
//! Modes (see `--help` of each):
//!
//! - `connect`: open N sockets; sockets/s and server RSS per socket.
//! - `fanout`: N observers, a trigger user toggling R times; delivery
//!   latency and missing deliveries.
//! - `storm`: T users toggling for S seconds; frames delivered per second.
//! - `login-storm`: a fanout quiet and under bcrypt logins; p99 ratio.
//! - `page`: `GET /` latency with U users, O online.
//! - `churn`: N observers watching W users each, C status changes a
//!   second; the full feed, then watch mode, at the same sizes.
//! - `tcp-floor`: the kernel's floor under `fanout`, with no server at
//!   all: one `write` per socket per event from a bare writer process.
//! - `table`: markdown tables from `--json` reports.
//!
//! The generator shares the machine with the server, so it runs on one
//! thread by default and every report states its CPU use and event-loop
//! lag.

mod account;
mod cli;
mod cookies;
mod drops;
mod frame;
mod http;
mod modes;
mod observers;
mod report;
mod round;
mod socket;
mod stats;
mod table;
mod target;

use std::{process::ExitCode, sync::Arc};

use clap::Parser;

use crate::{
    cli::{Cli, Mode},
    modes::Ctx,
    report::Report,
    stats::LagMonitor,
    target::Target,
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Mode::Table { files } = &cli.mode {
        return match table::render(files) {
            Ok(tables) => {
                print!("{tables}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("presence-bench: {err:#}");
                ExitCode::FAILURE
            }
        };
    }
    let nofile = target::raise_nofile_limit();
    if let Mode::TcpFloorWriter { observers, writers } = cli.mode {
        return match modes::tcp_floor::writer(observers, writers) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("presence-bench: tcp-floor writer: {err:#}");
                ExitCode::FAILURE
            }
        };
    }
    let runtime = if cli.common.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.common.threads)
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("presence-bench: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, nofile)) {
        Ok(report) if report.failed() => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("presence-bench: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli, nofile: u64) -> anyhow::Result<Report> {
    let target = Arc::new(Target::new(&cli.common.url, cli.common.sources)?);
    let json = cli.common.json.clone();
    let ctx = Ctx {
        common: cli.common,
        target,
        lag: LagMonitor::start(),
        nofile,
    };
    let report = match cli.mode {
        Mode::Connect {
            sockets,
            hold_secs,
            page,
        } => {
            let path = if page { "/users/?watch" } else { "/users/" };
            modes::connect::run(&ctx, sockets, hold_secs, path).await?
        }
        Mode::Fanout(args) => modes::fanout::run(&ctx, args).await?,
        Mode::Churn(args) => modes::churn::run(&ctx, args).await?,
        Mode::Storm {
            observers,
            togglers,
            secs,
        } => modes::storm::run(&ctx, observers, togglers, secs).await?,
        Mode::LoginStorm {
            fanout,
            login_concurrency,
            blocks,
            idle_spinner,
        } => {
            let load = modes::login_storm::Load {
                concurrency: login_concurrency,
                idle_spinner,
            };
            modes::login_storm::run(&ctx, fanout, load, blocks).await?
        }
        Mode::Page {
            users,
            online,
            online_via,
            concurrency,
            secs,
        } => {
            let sizes = modes::page::Sizes {
                users,
                online,
                online_via,
                concurrency,
                secs,
            };
            modes::page::run(&ctx, sizes).await?
        }
        Mode::TcpFloor { fanout, writers } => modes::tcp_floor::run(&ctx, fanout, writers).await?,
        Mode::Table { .. } | Mode::TcpFloorWriter { .. } => {
            anyhow::bail!("handled before the runtime starts")
        }
    };
    print!("{}", report.to_text());
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(&path, text + "\n")?;
    }
    Ok(report)
}
