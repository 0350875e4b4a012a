//! A real presence server on 127.0.0.1, port 0, with a fresh database.

use std::{net::TcpListener, time::Duration};

use presence::{
    config::Config,
    live::hub::Hub,
    startup::{Application, ShutdownHandle},
};
use sea_orm::DatabaseConnection;

use super::{Browser, db::TestDb};

/// A running server and what tests need to reach it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The port.
    pub port: u16,
    /// The hub of the server.
    pub hub: Hub,
    /// The server's database.
    pub db: DatabaseConnection,
    /// Stops the server as SIGTERM would.
    pub shutdown: ShutdownHandle,
    /// Resolves when the server has stopped.
    pub stopped: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
    _db: Option<TestDb>,
}

/// Settings for tests: cheap bcrypt and a grace period short enough to wait
/// out. A login's hold stays long, as in production: a test's socket may
/// open more than a second after its login on a loaded machine, and the
/// user must not flap offline and back meanwhile.
pub fn test_config(database_url: &str) -> Config {
    Config {
        bind_addr: "127.0.0.1:0".into(),
        database_url: database_url.to_owned(),
        bcrypt_cost: 4,
        presence_grace_ms: 1000,
        presence_login_hold_ms: 10_000,
        secret_key: Some(
            "test-secret-key-that-is-long-enough-to-sign"
                .parse()
                .expect("key"),
        ),
        ..Config::default()
    }
}

/// Spawns a server with [`test_config`].
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Spawns a server with [`test_config`] adjusted by `adjust`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDb::fresh().await;
    let mut config = test_config(&db.url);
    adjust(&mut config);
    spawn_on(config, Some(db)).await
}

/// Spawns a server with exactly `config` (its database is not created).
pub async fn spawn_on(config: Config, db: Option<TestDb>) -> TestApp {
    presence::telemetry::init(&std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".into()));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let app = Application::build(config, listener)
        .await
        .expect("build app");
    let port = app.port();
    let hub = app.hub();
    let conn = app.db();
    let shutdown = app.shutdown_handle();
    let stopped = actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        hub,
        db: conn,
        shutdown,
        stopped,
        _db: db,
    }
}

impl TestApp {
    /// A browser with an empty cookie jar.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    /// Signs `name` up with the standard password and logs them in.
    pub async fn logged_in(&self, name: &str) -> Browser {
        let browser = self.browser();
        browser.sign_up_and_log_in(name).await;
        browser
    }

    /// Logs `name` in and opens a socket that has seen its own arrival:
    /// an observer of everything that follows.
    pub async fn observer(&self, name: &str) -> (Browser, super::TestSocket) {
        let browser = self.logged_in(name).await;
        let mut socket = browser.socket().await;
        socket.snapshot_with(&[name]).await;
        (browser, socket)
    }

    /// The online set the hub has announced.
    pub async fn online(&self) -> Vec<String> {
        presence::testkit::online(&self.hub).await
    }

    /// Waits until the hub has announced exactly `expected` as online.
    pub async fn wait_online(&self, expected: &[&str]) {
        until_names("online", expected, || self.online()).await;
    }

    /// The names with `LoggedInUser` rows.
    pub async fn rows(&self) -> Vec<String> {
        presence::testkit::rows(&self.db).await
    }

    /// Waits until the `LoggedInUser` rows name exactly `expected`: rows
    /// follow the hub's news a moment later, and a dead node's rows go
    /// only after it is reaped in Redis.
    pub async fn wait_rows(&self, expected: &[&str]) {
        until_names("rows", expected, || self.rows()).await;
    }

    /// Stops the server cleanly and waits for it.
    pub async fn stop(self) {
        stop_and_wait(&self.shutdown, self.stopped).await;
    }
}

/// A server on a duplicate of a listening socket that the test keeps, as a
/// socket-activated service's is kept: it can stop and another start on
/// the same port, and while none runs the kernel queues connections.
pub struct Instance {
    /// The server's database.
    #[allow(dead_code)] // read by the browser tests' server
    pub db: DatabaseConnection,
    shutdown: ShutdownHandle,
    stopped: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
}

impl Instance {
    /// Starts a server with `config` on a duplicate of `listener`.
    pub async fn launch(config: &Config, listener: &TcpListener) -> Self {
        let socket = listener.try_clone().expect("duplicate the listener");
        let app = Application::build(config.clone(), socket)
            .await
            .expect("build the app");
        let db = app.db();
        let shutdown = app.shutdown_handle();
        let stopped = actix_web::rt::spawn(app.run_until_stopped());
        Self {
            db,
            shutdown,
            stopped,
        }
    }

    /// Stops the server as SIGTERM would and waits until it has stopped.
    pub async fn stop(self) {
        stop_and_wait(&self.shutdown, self.stopped).await;
    }
}

/// Asks a server to stop as SIGTERM would, and waits for it: 10 s at most.
async fn stop_and_wait(
    shutdown: &ShutdownHandle,
    stopped: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
) {
    shutdown.shutdown();
    tokio::time::timeout(Duration::from_secs(10), stopped)
        .await
        .expect("the server stops within 10 s")
        .expect("server task")
        .expect("server result");
}

/// Reads `read` every 10 ms until it names exactly `expected`, for at most
/// 5 s; `what` says what it reads when it never does.
async fn until_names<F, Fut>(what: &str, expected: &[&str], read: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Vec<String>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let names = read().await;
        if names == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} are {names:?}, not {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
