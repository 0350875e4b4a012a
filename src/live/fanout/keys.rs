//! The names of presence's Redis keys and channel, all under one prefix.
//!
//! | key | type | holds |
//! | --- | --- | --- |
//! | `{p}:node:{id}:users` | set | users online on node `id` (sockets or grace holds) |
//! | `{p}:online` | hash | user → how they attend in the cluster (a code: the OR of every node's) |
//! | `{p}:attend:{user}` | hash | node → how the user attends on that node (a code) |
//! | `{p}:profiles` | hash | user → their profile bulletin, if not the default (kept while they are offline, to come back with them) |
//! | `{p}:seq` | string | sequence number of the last bulletin |
//! | `{p}:lease:{id}` | string, 3 s TTL | node `id` is alive; holds its process's instance token |
//! | `{p}:nodes` | set | every node that has registered |
//! | `{p}:events` | channel | bulletins, one per cluster-wide change |

/// The keys of one cluster.
#[derive(Clone, Debug)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    /// Keys under `prefix`.
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    /// The prefix itself (the scripts build per-user keys from it).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The profiles users chose (not the default).
    pub fn profiles(&self) -> String {
        format!("{}:profiles", self.prefix)
    }

    /// The users online on `node`.
    pub fn node_users(&self, node: &str) -> String {
        format!("{}:node:{node}:users", self.prefix)
    }

    /// How each online user attends across the cluster.
    pub fn online(&self) -> String {
        format!("{}:online", self.prefix)
    }

    /// The bulletin sequence number.
    pub fn seq(&self) -> String {
        format!("{}:seq", self.prefix)
    }

    /// The lease of `node`.
    pub fn lease(&self, node: &str) -> String {
        format!("{}:lease:{node}", self.prefix)
    }

    /// The registered nodes.
    pub fn nodes(&self) -> String {
        format!("{}:nodes", self.prefix)
    }

    /// The pub/sub channel of bulletins.
    pub fn channel(&self) -> String {
        format!("{}:events", self.prefix)
    }
}
