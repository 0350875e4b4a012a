//! This node's lease in Redis: the proof that node id `N` is alive, and
//! owned by one process.
//!
//! The lease key holds a random instance token, made afresh by each
//! process. It is taken only when free (`SET NX`), and renewed or given
//! up only by the process whose token it holds (compare-and-set scripts),
//! so a second process started with a live node's id can neither take
//! the lease nor drop it. A renewal that finds the lease gone (the node
//! was frozen past the lease, or Redis lost it) takes it again and says
//! so: the node was reaped or may have been, and must publish its users
//! again.

use std::{sync::LazyLock, time::Duration};

use redis::{RedisResult, Script, aio::MultiplexedConnection};

use super::keys::Keys;
use crate::auth::token;

/// A node whose lease is older than this is dead.
pub const LEASE: Duration = Duration::from_millis(3000);

/// `KEYS[1]` the lease, `KEYS[2]` the node registry; `ARGV[1]` the token,
/// `ARGV[2]` the lease in ms, `ARGV[3]` the node id.
static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[3])
  return 'renewed'
end
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[3])
  return 'acquired'
end
return 'taken'
"#,
    )
});

/// `KEYS[1]` the lease; `ARGV[1]` the token. Deletes it if it is ours.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#,
    )
});

/// What a renewal found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renewal {
    /// The lease was ours and alive: nothing happened meanwhile.
    Renewed,
    /// The lease was free and is ours now: first taken, or lapsed (this
    /// node may have been reaped and must publish its users again).
    Acquired,
    /// Another process holds this node id.
    Taken,
}

/// The lease of one node, held by one process.
#[derive(Clone, Debug)]
pub struct Lease {
    keys: Keys,
    node: String,
    token: String,
}

impl Lease {
    /// The lease of `node` under `keys`, with a fresh instance token.
    pub fn new(keys: Keys, node: &str) -> Self {
        Self {
            keys,
            node: node.to_owned(),
            token: token::random(24),
        }
    }

    /// The node id.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Renews the lease, or takes it if it is free.
    pub async fn renew(&self, conn: &mut MultiplexedConnection) -> RedisResult<Renewal> {
        let outcome: String = RENEW
            .key(self.keys.lease(&self.node))
            .key(self.keys.nodes())
            .arg(&self.token)
            .arg(LEASE.as_millis() as u64)
            .arg(&self.node)
            .invoke_async(conn)
            .await?;
        Ok(match outcome.as_str() {
            "renewed" => Renewal::Renewed,
            "acquired" => Renewal::Acquired,
            _ => Renewal::Taken,
        })
    }

    /// Gives the lease up if it is still ours; whether it was.
    pub async fn release(&self, conn: &mut MultiplexedConnection) -> RedisResult<bool> {
        let deleted: i64 = RELEASE
            .key(self.keys.lease(&self.node))
            .arg(&self.token)
            .invoke_async(conn)
            .await?;
        Ok(deleted == 1)
    }
}
