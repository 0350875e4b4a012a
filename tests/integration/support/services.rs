//! Services some tests need: Redis, and a Redis server a test owns.
//! (nginx is in `nginx.rs`.)

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Whether CI demands that service tests run rather than skip.
pub fn required() -> bool {
    std::env::var("PRESENCE_REQUIRE_SERVICES").is_ok_and(|value| value == "1")
}

/// The Redis to test against, or `None` after printing why the calling
/// test is skipped. Under `PRESENCE_REQUIRE_SERVICES=1` a missing Redis
/// fails the test instead.
pub fn redis_url(test: &str) -> Option<String> {
    match std::env::var("REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                !required(),
                "{test}: REDIS_URL is not set but PRESENCE_REQUIRE_SERVICES=1"
            );
            eprintln!(
                "SKIPPED {test}: needs Redis; set REDIS_URL=redis://127.0.0.1:6379 to run it"
            );
            None
        }
    }
}

/// A `redis-server` this test started on a spare port, so it can stop and
/// restart it. Killed on drop.
pub struct OwnRedis {
    /// Its port.
    pub port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    /// A spare port for a server not started yet.
    pub fn reserve() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        Self { port, child: None }
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts (or restarts) the server, without persistence, and waits
    /// until it accepts.
    pub fn start(&mut self) {
        self.start_with(&[]);
    }

    /// Like [`start`](Self::start), with extra `redis-server` arguments.
    pub fn start_with(&mut self, args: &[&str]) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .args(args)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server runs");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server abruptly (`kill -9`); its data is gone.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether `redis-server` can be run here.
    pub fn available() -> bool {
        Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
