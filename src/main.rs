//! The `presence` binary: parse the settings, start logging, serve.

use std::{net::TcpListener, process::ExitCode};

use clap::Parser;
use presence::{config::Config, open_files, startup::Application, telemetry};

#[cfg(feature = "heap-profile")]
mod heap_profile;

/// jemalloc rather than the system allocator: see BENCHMARKS.md.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings, read once at its start (`_RJEM_MALLOC_CONF` in
/// the environment still overrides them). `dirty_decay_ms:0` hands pages
/// freed by the handshakes back to the kernel at once instead of keeping
/// them for ten seconds or more (the decay only runs when something
/// allocates, and a server holding idle sockets seldom does): about
/// 1.5 KiB per open socket (BENCHMARKS.md, "Memory per socket: heap
/// profile").
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: &[u8; 17] = b"dirty_decay_ms:0\0";

#[actix_web::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    telemetry::init_with_format(&config.rust_log, config.log_format);
    if let Err(err) = open_files::raise() {
        tracing::warn!(error = %err, "could not raise the open-files limit");
    }
    let listener = match TcpListener::bind(&config.bind_addr) {
        Ok(listener) => listener,
        Err(err) => {
            tracing::error!(addr = %config.bind_addr, error = %err, "cannot listen");
            return ExitCode::FAILURE;
        }
    };
    let app = match Application::build(config.clone(), listener).await {
        Ok(app) => app,
        Err(err) => {
            tracing::error!(error = %err, "cannot start");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("serving on http://{}", config.bind_addr);
    #[cfg(feature = "heap-profile")]
    actix_web::rt::spawn(heap_profile::dump_on_signal());
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "server failed");
            ExitCode::FAILURE
        }
    }
}
