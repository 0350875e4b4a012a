//! Several nodes sharing Redis and one database (cluster mode).
//!
//! Each test uses its own Redis key prefix and database, so they run in
//! parallel. Nodes are in-process servers on their own ports, each with its
//! own hub and Redis connection, or real `presence` processes where a test
//! kills one.
//!
//! - [`across_nodes`]: one truth across nodes: online, offline, tabs, sessions,
//!   snapshots and logouts.
//! - [`faults`]: killed nodes, restarts, Redis outages and concurrent
//!   start-ups.

mod across_nodes;
mod faults;

use std::time::{Duration, Instant};

use crate::support::{
    app::{TestApp, spawn_on, test_config},
    db::TestDb,
    process::ServerProcess,
};

/// The grace period of cluster tests.
pub(super) const GRACE_MS: u64 = 500;
pub(super) const AFTER_GRACE: Duration = Duration::from_millis(1500);

/// One Redis key prefix and one database: the shared state of the nodes
/// a test starts.
pub(super) struct Cluster {
    redis_url: String,
    prefix: String,
    db: TestDb,
}

impl Cluster {
    pub(super) async fn new(redis_url: String) -> Self {
        Self {
            redis_url,
            prefix: format!("test-{}", presence::auth::token::random(10)),
            db: TestDb::fresh().await,
        }
    }

    /// An in-process node called `id`.
    pub(super) async fn node(&self, id: &str) -> TestApp {
        let mut config = test_config(&self.db.url);
        config.redis_url = Some(self.redis_url.clone());
        config.redis_prefix = self.prefix.clone();
        config.node_id = Some(id.to_owned());
        config.presence_grace_ms = GRACE_MS;
        let node = spawn_on(config, None).await;
        node.wait_joined().await;
        node
    }

    /// A real `presence` process called `id`.
    pub(super) async fn process(&self, id: &str) -> ServerProcess {
        let grace = GRACE_MS.to_string();
        ServerProcess::start(
            &self.db.url,
            &[
                ("REDIS_URL", &self.redis_url),
                ("REDIS_PREFIX", &self.prefix),
                ("NODE_ID", id),
                ("PRESENCE_GRACE_MS", &grace),
            ],
        )
        .await
    }
}

impl TestApp {
    /// Waits until this node's session store and link are up, by logging a
    /// throwaway browser in.
    pub(super) async fn wait_joined(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.browser().get("/log_in/").await.status() != 200 {
            assert!(Instant::now() < deadline, "node never became ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The Redis URL, or a skip (printed) when there is none.
macro_rules! redis_or_skip {
    ($test:literal) => {
        match crate::support::services::redis_url($test) {
            Some(url) => url,
            None => return,
        }
    };
}
pub(super) use redis_or_skip;
