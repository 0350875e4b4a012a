//! The real app on a fixed port that survives restarts.
//!
//! The test binds one listening socket and hands each server instance a
//! duplicate of it, the way a socket-activated service is restarted. While
//! no instance runs, the kernel keeps queueing connections on the socket,
//! so a reconnecting page meets a slow answer rather than a refused
//! connection (which Chromium would log to the console).

use std::{net::TcpListener, time::Duration};

use presence::config::Config;
use sea_orm::DatabaseConnection;

use crate::support::{
    app::{Instance, test_config},
    db::TestDb,
};

/// How long a user stays online after their last socket: short, so the
/// test can wait it out.
pub const GRACE: Duration = Duration::from_millis(500);

/// A presence server with its own fresh database.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The port, the same across restarts.
    pub port: u16,
    /// The database, which outlives restarts.
    pub db: DatabaseConnection,
    config: Config,
    listener: TcpListener,
    running: Option<Instance>,
    _data: TestDb,
}

impl Server {
    /// Starts a server on a free port with a fresh database.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts a server as [`Server::start`] does, with its settings
    /// changed by `adjust` (a short `PRESENCE_IDLE_MS`, say).
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        presence::telemetry::init(&std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".into()));
        let data = TestDb::fresh().await;
        let mut config = test_config(&data.url);
        config.presence_grace_ms = GRACE.as_millis() as u64;
        adjust(&mut config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let running = Instance::launch(&config, &listener).await;
        Self {
            address: format!("http://127.0.0.1:{port}"),
            port,
            db: running.db.clone(),
            config,
            listener,
            running: Some(running),
            _data: data,
        }
    }

    /// Stops the server as SIGTERM would and waits until it has stopped.
    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
    }

    /// Starts a new instance on the same port and database.
    pub async fn start_again(&mut self) {
        assert!(self.running.is_none(), "stop the server first");
        let running = Instance::launch(&self.config, &self.listener).await;
        self.db = running.db.clone();
        self.running = Some(running);
    }
}
