//! Redis as the channel layer between presence processes (cluster mode).
//!
//! Each node keeps its own hub and its own sockets. What the nodes share
//! lives in Redis (see [`keys`]): each node's set of online users, a
//! cluster-wide count of nodes per user, and a lease per node. The hub never
//! talks to Redis; it hands its news to the [`Fanout`], and the fanout's
//! `link` task turns it into atomic Lua [`scripts`]. When a
//! count moves between 0 and 1, the script publishes a [`bulletin`] on one
//! channel; every node (the sender too) receives it once and its hub
//! delivers the frame to its own sockets. So an event crosses Redis once
//! per node, not once per socket.
//!
//! The link also:
//! - renews this node's lease every second and removes nodes whose lease
//!   ran out (a `kill -9`), with their `LoggedInUser` rows;
//! - on every (re)connection re-publishes this node's users and reloads the
//!   cluster state, so an outage or a Redis restart heals within seconds;
//! - while Redis is away, tells the hub to serve its local users alone.

pub mod bulletin;
pub mod keys;
mod link;
pub mod scripts;

use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};

pub use self::link::LinkError;
use crate::live::hub::{Hub, News};

/// Where and as whom to join a cluster.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// The Redis URL.
    pub redis_url: String,
    /// The key prefix of the cluster.
    pub prefix: String,
    /// This node's id.
    pub node_id: String,
}

/// A message from the hub to the link.
#[derive(Debug)]
enum Outgoing {
    /// News for the connection of `epoch`; the link drops news meant for
    /// an older connection (the sync at reconnection covers it).
    News { epoch: u64, news: News },
    /// Leave the cluster, then reply.
    Stop(oneshot::Sender<()>),
}

/// The hub's handle on the link task.
#[derive(Clone)]
pub struct Fanout {
    outgoing: mpsc::UnboundedSender<Outgoing>,
}

impl Fanout {
    /// Starts the link task for `config`, reporting to `hub`.
    pub fn spawn(config: ClusterConfig, hub: Hub, db: DatabaseConnection) -> Self {
        let (outgoing, inbox) = mpsc::unbounded_channel();
        actix::spawn(link::run(link::Link::new(config, hub, db, inbox)));
        Self { outgoing }
    }

    /// Sends news to the cluster over the connection of `epoch`.
    pub fn send(&self, epoch: u64, news: News) {
        let _ = self.outgoing.send(Outgoing::News { epoch, news });
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
