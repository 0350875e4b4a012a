//! [`Deployment`]: one node on its own, or a node of a cluster over Redis.
//!
//! Whatever differs between the two is a method here, so that `startup`
//! reads as the same list of steps for both, and the question "one node
//! or a cluster?" is asked in this one type. (Once running, the hub asks
//! its own runtime question, whether Redis is reachable right now, of its
//! [`Reach`].)

use sea_orm::{DatabaseConnection, DbErr};

use crate::{
    config::Config,
    live::{
        fanout::{
            ClusterConfig, Fanout,
            claim::{self, Claim, ClaimError},
        },
        hub::{Hub, Reach},
        store,
    },
    sessions::{self, SessionBackend},
    shared_redis::SharedRedis,
    throttle::Throttle,
    users::{self, AccountMemory},
};

/// How this process shares presence.
pub enum Deployment {
    /// A single node: everything in this process and its database.
    SingleNode,
    /// A node of a cluster that shares presence and sessions through Redis.
    Cluster {
        /// Where and as whom to join.
        cluster: ClusterConfig,
        /// A connection for request-time work (throttling, health).
        redis: SharedRedis,
    },
}

impl Deployment {
    /// A cluster when `REDIS_URL` is set, else a single node.
    pub fn of(config: &Config, node_id: &str) -> Self {
        match &config.redis_url {
            None => Self::SingleNode,
            Some(redis_url) => Self::Cluster {
                redis: SharedRedis::new(redis_url),
                cluster: ClusterConfig::new(redis_url, &config.redis_prefix, node_id),
            },
        }
    }

    /// The mode's name, for the start-up log line.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SingleNode => "single node",
            Self::Cluster { .. } => "cluster",
        }
    }

    /// Makes sure this process owns its node id before anything of it is
    /// touched: nothing to do on a single node; in a cluster, the node's
    /// lease in Redis (see [`claim`]). Also checks Redis's settings.
    pub async fn claim_node_id(&self) -> Result<Claim, ClaimError> {
        match self {
            Self::SingleNode => Ok(Claim::Owned),
            Self::Cluster { cluster, .. } => claim::claim(cluster).await,
        }
    }

    /// Removes the `LoggedInUser` rows a crashed process left behind: on a
    /// single node all of them; in a cluster this node's own, once its
    /// lease is this process's (the others' are judged by their leases;
    /// unchecked, the rows are rewritten when the node joins). Returns how
    /// many there were.
    pub async fn clear_ghost_rows(
        &self,
        db: &DatabaseConnection,
        node_id: &str,
        claim: Claim,
    ) -> Result<u64, DbErr> {
        match (self, claim) {
            (Self::SingleNode, _) => store::clear_all(db).await,
            (Self::Cluster { .. }, Claim::Owned) => store::clear_node(db, node_id).await,
            (Self::Cluster { .. }, Claim::Unchecked) => Ok(0),
        }
    }

    /// Where HTTP sessions live: in the shared database, in either mode
    /// (purged of expired rows in the background). A cluster's Redis may
    /// lose its memory; a login must not be lost with it. A single node,
    /// the table's only writer, also remembers what it holds, and loads a
    /// session with no query; in a cluster another node may log a session
    /// out at any time, so every load asks the table.
    pub fn session_store(&self, db: &DatabaseConnection) -> SessionBackend {
        sessions::spawn_purger(db.clone());
        match self {
            Self::SingleNode => SessionBackend::remembered(db.clone()),
            Self::Cluster { .. } => SessionBackend::in_table(db.clone()),
        }
    }

    /// What this node remembers of accounts: on a single node, the only
    /// writer of profiles, everything it read or wrote; in a cluster,
    /// where another node may change a profile, nothing.
    pub fn account_memory(&self) -> AccountMemory {
        match self {
            Self::SingleNode => AccountMemory::new(users::memory::MAX_ACCOUNTS),
            Self::Cluster { .. } => AccountMemory::off(),
        }
    }

    /// Where rate limits count: in memory, or in Redis for every node.
    pub fn throttle(&self) -> Throttle {
        match self {
            Self::SingleNode => Throttle::in_memory(),
            Self::Cluster { cluster, redis } => Throttle::in_redis(redis.clone(), &cluster.prefix),
        }
    }

    /// The Redis that `/healthz` checks, if any.
    pub fn redis(&self) -> Option<SharedRedis> {
        match self {
            Self::SingleNode => None,
            Self::Cluster { redis, .. } => Some(redis.clone()),
        }
    }

    /// How far the hub's news reaches: its own sockets, or the cluster
    /// through a link to Redis started here.
    pub fn reach(&self, hub: &Hub, db: &DatabaseConnection) -> Reach {
        match self {
            Self::SingleNode => Reach::Local,
            Self::Cluster { cluster, .. } => {
                Reach::cluster(Fanout::spawn(cluster.clone(), hub.clone(), db.clone()))
            }
        }
    }
}
