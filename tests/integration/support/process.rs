//! The real `presence` binary as a child process.

use std::{
    net::TcpListener,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use super::Browser;

/// A running `presence` process; killed when dropped.
pub struct ServerProcess {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    child: Child,
    log: Option<tempfile::NamedTempFile>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

impl ServerProcess {
    /// Starts the binary on a free port with `database_url` and extra
    /// environment (an empty value removes a variable), and waits until it
    /// answers.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        Self::launch(database_url, env, false).await
    }

    /// Like [`start`](Self::start), keeping what the server logs.
    pub async fn start_logging(database_url: &str, env: &[(&str, &str)]) -> Self {
        Self::launch(database_url, env, true).await
    }

    async fn launch(database_url: &str, env: &[(&str, &str)], keep_log: bool) -> Self {
        let server = Self::spawn(database_url, env, keep_log);
        server.wait_ready().await;
        server
    }

    /// Starts the binary, keeping its log, without waiting for it to
    /// answer (it may be meant to refuse to start).
    pub fn spawn_logging(database_url: &str, env: &[(&str, &str)]) -> Self {
        Self::spawn(database_url, env, true)
    }

    fn spawn(database_url: &str, env: &[(&str, &str)], keep_log: bool) -> Self {
        let port = free_port();
        let address = format!("http://127.0.0.1:{port}");
        let mut command = Command::new(env!("CARGO_BIN_EXE_presence"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("DATABASE_URL", database_url)
            .env("BCRYPT_COST", "4")
            .env("SECRET_KEY", "test-secret-key-that-is-long-enough-to-sign")
            .env(
                "RUST_LOG",
                std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".into()),
            );
        let log = keep_log.then(|| tempfile::NamedTempFile::new().expect("log file"));
        match &log {
            Some(file) => command.stdout(file.reopen().expect("log file")),
            None => command.stdout(Stdio::null()),
        };
        for (key, value) in env {
            if value.is_empty() {
                command.env_remove(key);
            } else {
                command.env(key, value);
            }
        }
        let child = command.spawn().expect("start presence");
        Self {
            address,
            child,
            log,
        }
    }

    /// Waits until a page renders (which needs the session store too).
    pub async fn wait_ready(&self) {
        let server = self;
        let deadline = Instant::now() + Duration::from_secs(20);
        let probe = reqwest::Client::new();
        while !probe
            .get(format!("{}/log_in/", server.address))
            .send()
            .await
            .is_ok_and(|response| response.status() == 200)
        {
            assert!(
                Instant::now() < deadline,
                "presence did not start within 20 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What the server has logged so far (started with a log).
    pub fn logs(&self) -> String {
        let log = self.log.as_ref().expect("started with a log");
        std::fs::read_to_string(log.path()).expect("read log")
    }

    /// Sends `SIG<name>` without waiting.
    pub fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{name} failed");
    }

    /// Waits up to `limit` for the process to exit, without blocking the
    /// runtime (in-process nodes of the same test keep running).
    pub async fn exited(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    /// A browser for this server.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    /// The process's resident memory in KiB (`VmRSS` of /proc/PID/status).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("read /proc/PID/status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/PID/status")
    }

    /// The text of its `GET /metrics`, which must answer 200. Only this
    /// process's figures: unlike in-process servers, it shares no recorder.
    pub async fn scrape(&self) -> String {
        let response = self.browser().get("/metrics").await;
        assert_eq!(response.status(), 200);
        response.text().await.expect("the scrape's body")
    }

    /// Stops the server with SIGTERM and returns its log lines.
    pub fn stop_and_collect_logs(mut self) -> Vec<String> {
        let log = self.log.take().expect("started with start_logging");
        let status = self.signal_and_wait("TERM", Duration::from_secs(10));
        assert!(status.is_some(), "did not stop");
        std::fs::read_to_string(log.path())
            .expect("read log")
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Sends `SIG<name>` and waits up to `limit` for the exit.
    pub fn signal_and_wait(&mut self, name: &str, limit: Duration) -> Option<ExitStatus> {
        self.signal(name);
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // A stopped (SIGSTOP) process dies of SIGKILL all the same.
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A failing test shows what its servers said.
        if std::thread::panicking()
            && let Some(log) = &self.log
        {
            let said = std::fs::read_to_string(log.path()).unwrap_or_default();
            eprintln!("--- log of presence at {} ---\n{said}", self.address);
        }
    }
}
