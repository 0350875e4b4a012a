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
        fanout::{ClusterConfig, Fanout, keys::Keys},
        hub::{Hub, Reach},
        store,
    },
    sessions::{self, DbSessionStore, RedisSessions, SessionBackend},
    shared_redis::SharedRedis,
    throttle::Throttle,
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
                cluster: ClusterConfig {
                    redis_url: redis_url.clone(),
                    prefix: config.redis_prefix.clone(),
                    node_id: node_id.to_owned(),
                },
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

    /// Removes the `LoggedInUser` rows a crashed process left behind: on a
    /// single node all of them; in a cluster this node's own (the others'
    /// are judged by their leases). Returns how many there were.
    pub async fn clear_ghost_rows(
        &self,
        db: &DatabaseConnection,
        node_id: &str,
    ) -> Result<u64, DbErr> {
        match self {
            Self::SingleNode => store::clear_all(db).await,
            Self::Cluster { .. } => store::clear_node(db, node_id).await,
        }
    }

    /// Where HTTP sessions live: the database on a single node (purged of
    /// expired rows in the background), Redis in a cluster.
    pub fn session_store(&self, db: &DatabaseConnection) -> SessionBackend {
        match self {
            Self::SingleNode => {
                sessions::spawn_purger(db.clone());
                SessionBackend::Database(DbSessionStore::new(db.clone()))
            }
            Self::Cluster { cluster, .. } => SessionBackend::Redis(RedisSessions::open(
                cluster.redis_url.clone(),
                Keys::new(&cluster.prefix),
            )),
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
