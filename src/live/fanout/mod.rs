//! Redis as the channel layer between presence processes (cluster mode).
//!
//! Each node keeps its own hub and its own sockets. What the nodes share
//! lives in Redis (see [`keys`]): each node's set of online users, how
//! each user attends on each node (a small code: active, idle, devices),
//! the cluster-wide combination of those codes, and a lease per node. The
//! hub never talks to Redis; it hands its news to the [`Fanout`], and the
//! fanout's `link` task turns it into atomic Lua [`scripts`]. When a
//! user's combined code changes (first node, last node, away, a new kind
//! of device), the script publishes a [`bulletin`] on one channel; every node (the sender too) receives it once and its hub
//! delivers the frame to its own sockets. So an event crosses Redis once
//! per node, not once per socket.
//!
//! The link also:
//! - renews this node's [`lease`] every second, and when it finds it lapsed
//!   (the node was frozen and maybe reaped) joins again and re-publishes
//!   its users;
//! - removes nodes whose lease ran out (a `kill -9`), found in Redis' set of
//!   nodes or in the `LoggedInUser` rows ([`ghosts`]), first in Redis and
//!   then their rows;
//! - on every (re)connection re-publishes this node's users and reloads the
//!   cluster state, so an outage or a Redis restart heals within seconds;
//! - while Redis is away, tells the hub to serve its local users alone.
//!
//! The link runs on an arbiter (thread) of its own, so a busy hub never
//! delays a renewal; its database work runs on the main runtime, within
//! deadlines. At start-up, [`claim`] takes the lease before anything of
//! this node id is touched.

pub mod bulletin;
pub mod claim;
pub mod ghosts;
pub mod keys;
pub mod lease;
mod link;
pub mod redis_check;
pub mod scripts;
pub mod share;

use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};

pub use self::link::LinkError;
use crate::live::hub::{Hub, News};
use lease::Lease;

/// Where and as whom to join a cluster.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// The Redis URL.
    pub redis_url: String,
    /// The key prefix of the cluster.
    pub prefix: String,
    /// This node's id.
    pub node_id: String,
    /// This process's lease on the node id.
    pub lease: Lease,
}

impl ClusterConfig {
    /// The settings of node `node_id` on `redis_url`, under `prefix`, with
    /// a fresh instance token.
    pub fn new(redis_url: &str, prefix: &str, node_id: &str) -> Self {
        Self {
            redis_url: redis_url.to_owned(),
            prefix: prefix.to_owned(),
            node_id: node_id.to_owned(),
            lease: Lease::new(keys::Keys::new(prefix), node_id),
        }
    }
}

/// A message from the hub to the link.
#[derive(Debug)]
enum Outgoing {
    /// News for the connection of `epoch`; the link drops news meant for
    /// an older connection (the sync at reconnection covers it).
    News { epoch: u64, news: News },
    /// The node is draining: keep its users in the cluster as they are, even
    /// across a reconnection, until `Stop`.
    Drain,
    /// Node ids named by `LoggedInUser` rows, to judge by their leases.
    Suspects(Vec<String>),
    /// Leave the cluster, then reply.
    Stop(oneshot::Sender<()>),
}

/// The hub's handle on the link task.
#[derive(Clone)]
pub struct Fanout {
    outgoing: mpsc::UnboundedSender<Outgoing>,
}

impl Fanout {
    /// Starts the link task for `config` on an arbiter of its own,
    /// reporting to `hub`, and the scan of the rows for dead nodes.
    pub fn spawn(config: ClusterConfig, hub: Hub, db: DatabaseConnection) -> Self {
        let (outgoing, inbox) = mpsc::unbounded_channel();
        // Database work stays on this (the main) runtime, where the pool
        // lives; the link hands it over through this handle.
        let main = tokio::runtime::Handle::current();
        main.spawn(ghosts::scan(db.clone(), outgoing.clone()));
        let link = link::Link::new(config, hub, db, main, inbox);
        let arbiter = actix::Arbiter::new();
        arbiter.spawn(async move {
            link::run(link).await;
            actix::Arbiter::current().stop();
        });
        Self { outgoing }
    }

    /// Sends news to the cluster over the connection of `epoch`.
    pub fn send(&self, epoch: u64, news: News) {
        let _ = self.outgoing.send(Outgoing::News { epoch, news });
    }

    /// The node is shutting down and its sockets are closed: keep its users
    /// in the cluster until [`stop`](Self::stop), so that pages reconnecting
    /// elsewhere never show them offline.
    pub fn drain(&self) {
        let _ = self.outgoing.send(Outgoing::Drain);
    }

    /// A fanout with no Redis behind it: what the hub sends stays in the
    /// returned [`HeldNews`] until a test hands it back.
    #[cfg(feature = "testkit")]
    pub fn held() -> (Self, HeldNews) {
        let (outgoing, inbox) = mpsc::unbounded_channel();
        (Self { outgoing }, HeldNews { inbox })
    }

    /// Leaves the cluster: gives up the lease and takes this node's users
    /// offline where they have no other node. Waits for Redis at most a
    /// moment, since this runs during shutdown.
    pub async fn stop(&self) {
        let (reply, done) = oneshot::channel();
        if self.outgoing.send(Outgoing::Stop(reply)).is_ok() {
            let _ = done.await;
        }
    }
}

/// The news a [`Fanout::held`] received: a cluster whose Redis answers
/// only when a test says so.
#[cfg(feature = "testkit")]
pub struct HeldNews {
    inbox: mpsc::UnboundedReceiver<Outgoing>,
}

#[cfg(feature = "testkit")]
impl HeldNews {
    /// The news sent to the cluster so far and not taken yet, in order.
    pub fn take(&mut self) -> Vec<News> {
        let mut news = Vec::new();
        while let Ok(outgoing) = self.inbox.try_recv() {
            if let Outgoing::News { news: each, .. } = outgoing {
                news.push(each);
            }
        }
        news
    }
}
