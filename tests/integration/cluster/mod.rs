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
//! - [`draining`]: a rolling restart (`SIGTERM`) that flaps nobody.
//! - [`ownership`]: frozen nodes (`SIGSTOP`) that come back whole, and a
//!   node id owned by one process.
//! - [`redis_loss`]: Redis losing its memory (`kill -9`, no persistence),
//!   ghost rows, and Redis' settings.
//! - [`rich`]: away, devices and chosen statuses across nodes.
//! - [`kept_profiles`]: the scripts keeping and republishing profiles.
//! - [`rich_faults`]: chosen statuses through crashes, rolling restarts,
//!   frozen nodes and Redis restarting empty.

mod across_nodes;
mod draining;
mod faults;
mod kept_profiles;
mod ownership;
mod redis_loss;
mod rich;
mod rich_faults;
mod shown;

use std::time::{Duration, Instant};

use presence::live::hub::InCluster;

use crate::support::{
    Browser,
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
        // Tabs the tests hold without reading must outlive a slow reap.
        config.ws_client_timeout_ms = 60_000;
        let node = spawn_on(config, None).await;
        node.wait_joined().await;
        node
    }

    /// A real `presence` process called `id`.
    pub(super) async fn process(&self, id: &str) -> ServerProcess {
        self.process_with(id, &[]).await
    }

    /// A real `presence` process called `id`, with extra environment (an
    /// empty value removes a variable).
    pub(super) async fn process_with(&self, id: &str, extra: &[(&str, &str)]) -> ServerProcess {
        let server = ServerProcess::spawn_logging(&self.db.url, &self.env(id, extra));
        server.wait_ready().await;
        server
    }

    /// A `presence` process called `id`, not waited for: it may refuse to
    /// start.
    pub(super) fn spawn_process(&self, id: &str) -> ServerProcess {
        ServerProcess::spawn_logging(&self.db.url, &self.env(id, &[]))
    }

    /// Waits until Redis holds how `user` attends on node `node`: that
    /// node's share has reached the cluster.
    pub(super) async fn wait_attending(&self, user: &str, node: &str) {
        let client = redis::Client::open(self.redis_url.as_str()).expect("a Redis URL");
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .expect("Redis");
        let key = format!("{}:attend:{user}", self.prefix);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let mut exists = redis::cmd("HEXISTS");
            exists.arg(&key).arg(node);
            if exists
                .query_async::<bool>(&mut conn)
                .await
                .expect("HEXISTS")
            {
                return;
            }
            assert!(Instant::now() < deadline, "{user} never attended on {node}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn env<'a>(&'a self, id: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut env = vec![
            ("REDIS_URL", self.redis_url.as_str()),
            ("REDIS_PREFIX", self.prefix.as_str()),
            ("NODE_ID", id),
            ("PRESENCE_GRACE_MS", GRACE),
            // Tabs the tests hold without reading must outlive a freeze.
            ("WS_CLIENT_TIMEOUT_MS", "60000"),
        ];
        for (key, value) in extra {
            env.retain(|(name, _)| name != key);
            env.push((key, value));
        }
        env
    }
}

/// [`GRACE_MS`] as text, for a process's environment.
const GRACE: &str = "500";

/// A browser on `address` with the login of `from`: the same page going
/// to another node.
pub(super) fn carry(from: &Browser, address: &str) -> Browser {
    let to = Browser::new(address);
    to.jar.add_cookie_str(
        &from.cookie_header().expect("logged in"),
        &address.parse().expect("an address"),
    );
    to
}

impl TestApp {
    /// Waits until this node answers and its link has joined the cluster
    /// (before that, the node serves its users alone).
    pub(super) async fn wait_joined(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.browser().get("/log_in/").await.status() != 200
            || !self.hub.addr().send(InCluster).await.expect("the hub runs")
        {
            assert!(Instant::now() < deadline, "node never joined");
            tokio::time::sleep(Duration::from_millis(20)).await;
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
