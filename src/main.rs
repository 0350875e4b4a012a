//! The `presence` binary: parse the settings, start logging, serve.

use std::{net::TcpListener, process::ExitCode};

use clap::Parser;
use presence::{config::Config, open_files, startup::Application, telemetry};

/// jemalloc rather than the system allocator: see BENCHMARKS.md.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "server failed");
            ExitCode::FAILURE
        }
    }
}
