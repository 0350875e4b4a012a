//! Redis as the channel layer between presence processes (cluster mode).
//!
//! Each node keeps its own hub and its own sockets. What the nodes share
//! lives in Redis (see [`keys`]): each node's set of online users, a
//! cluster-wide count of nodes per user, and a lease per node. The hub never
//! talks to Redis; it hands its local changes to the [`Fanout`], and the
//! fanout's `link` task turns them into atomic Lua [`scripts`]. When a
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

use actix::Addr;
use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};

use crate::{
    auth::{SessionId, Username},
    live::hub::PresenceHub,
};

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

/// A message from the hub to the link. Each carries the epoch of the
/// connection it was meant for; the link drops those of an older one.
#[derive(Debug)]
enum Outgoing {
    Changes {
        epoch: u64,
        changes: Vec<(Username, bool)>,
        at: i64,
    },
    UserAdded {
        epoch: u64,
        user: Username,
    },
    Logout {
        epoch: u64,
        user: Username,
        session: SessionId,
    },
    Stop(oneshot::Sender<()>),
}

/// The hub's handle on the link task.
#[derive(Clone)]
pub struct Fanout {
    outgoing: mpsc::UnboundedSender<Outgoing>,
}

impl Fanout {
    /// Starts the link task for `config`, reporting to `hub`.
    pub fn spawn(config: ClusterConfig, hub: Addr<PresenceHub>, db: DatabaseConnection) -> Self {
        let (outgoing, inbox) = mpsc::unbounded_channel();
        actix::spawn(link::run(link::Link::new(config, hub, db, inbox)));
        Self { outgoing }
    }

    /// Announces this node's changes: `(user, true)` came online here.
    pub fn changes(&self, epoch: u64, changes: Vec<(Username, bool)>, at: i64) {
        let _ = self.outgoing.send(Outgoing::Changes { epoch, changes, at });
    }

    /// Announces a new account to the cluster.
    pub fn user_added(&self, epoch: u64, user: Username) {
        let _ = self.outgoing.send(Outgoing::UserAdded { epoch, user });
    }

    /// Tells the other nodes to close the sockets of an ended login.
    pub fn logout(&self, epoch: u64, user: Username, session: SessionId) {
        let _ = self.outgoing.send(Outgoing::Logout {
            epoch,
            user,
            session,
        });
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
