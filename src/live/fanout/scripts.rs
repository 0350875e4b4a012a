//! The Lua scripts that change the cluster's presence state atomically.
//!
//! Every script gets the same keys, so each reads like a paragraph:
//! `KEYS[1]` the node's user set, `KEYS[2]` the online hash, `KEYS[3]` the
//! sequence number, `KEYS[4]` the node's lease, `KEYS[5]` the node
//! registry; `ARGV[1]` the channel and `ARGV[2]` the time (Unix ms).
//!
//! A user is online in the cluster while the online hash counts at least
//! one node for them. A script that moves a count from 0 to 1 or from 1 to
//! 0 publishes a bulletin in the same atomic step, so there is exactly one
//! bulletin per cluster-wide change, and sequence numbers follow the order
//! of the changes.

use std::sync::LazyLock;

use redis::{RedisResult, Script, aio::MultiplexedConnection};

use super::keys::Keys;
use crate::{auth::Username, live::change::Change};

/// Helpers every script starts with.
const PRELUDE: &str = r#"
local channel, at = ARGV[1], tonumber(ARGV[2])
local function announce(message)
  message.seq = redis.call('INCR', KEYS[3])
  redis.call('PUBLISH', channel, cjson.encode(message))
end
local function came_online(user)
  if redis.call('SADD', KEYS[1], user) == 1 and redis.call('HINCRBY', KEYS[2], user, 1) == 1 then
    announce({kind = 'presence', user = user, online = true})
  end
end
local function went_offline(user)
  if redis.call('SREM', KEYS[1], user) == 1 and redis.call('HINCRBY', KEYS[2], user, -1) <= 0 then
    redis.call('HDEL', KEYS[2], user)
    announce({kind = 'presence', user = user, online = false, at = at})
    return true
  end
  return false
end
"#;

fn script(body: &str) -> Script {
    Script::new(&format!("{PRELUDE}\n{body}"))
}

/// `ARGV[3..]` are pairs of user and `1` (came online here) or `0` (went
/// offline here).
static CHANGES: LazyLock<Script> = LazyLock::new(|| {
    script(
        r#"
for i = 3, #ARGV, 2 do
  if ARGV[i + 1] == '1' then came_online(ARGV[i]) else went_offline(ARGV[i]) end
end
return 0
"#,
    )
});

/// Makes the node's set exactly `ARGV[3..]`: after a (re)connection, the
/// node re-publishes what it holds, and whatever Redis lost or kept wrongly
/// is corrected with bulletins.
static SYNC: LazyLock<Script> = LazyLock::new(|| {
    script(
        r#"
local wanted = {}
for i = 3, #ARGV do wanted[ARGV[i]] = true end
for _, user in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if not wanted[user] then went_offline(user) end
end
for user in pairs(wanted) do came_online(user) end
return 0
"#,
    )
});

/// Removes a node whose lease has run out (`ARGV[3]` is its id). Returns
/// nil if the lease still exists, else the users who went offline.
static REAP: LazyLock<Script> = LazyLock::new(|| {
    script(
        r#"
if redis.call('EXISTS', KEYS[4]) == 1 then return false end
local gone = {}
for _, user in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if went_offline(user) then table.insert(gone, user) end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[5], ARGV[3])
return gone
"#,
    )
});

/// Announces a new account (`ARGV[3]`).
static USER_ADDED: LazyLock<Script> =
    LazyLock::new(|| script("announce({kind = 'user_added', user = ARGV[3]})\nreturn 0"));

/// The sequence number and the online users, read together.
static STATE: LazyLock<Script> = LazyLock::new(|| {
    script("return {redis.call('GET', KEYS[3]) or '0', redis.call('HKEYS', KEYS[2])}")
});

/// Runs the scripts for one node.
#[derive(Clone)]
pub struct Scripts {
    keys: Keys,
    node: String,
}

impl Scripts {
    /// Scripts acting as `node` under `keys`.
    pub fn new(keys: Keys, node: &str) -> Self {
        Self {
            keys,
            node: node.to_owned(),
        }
    }

    fn invoke<'a>(&self, script: &'a Script, node: &str, at: i64) -> redis::ScriptInvocation<'a> {
        let mut invocation = script.prepare_invoke();
        invocation
            .key(self.keys.node_users(node))
            .key(self.keys.online())
            .key(self.keys.seq())
            .key(self.keys.lease(node))
            .key(self.keys.nodes())
            .arg(self.keys.channel())
            .arg(at);
        invocation
    }

    /// Applies this node's changes.
    pub async fn changes(
        &self,
        conn: &mut MultiplexedConnection,
        changes: &[Change],
        at: i64,
    ) -> RedisResult<()> {
        let mut invocation = self.invoke(&CHANGES, &self.node, at);
        for change in changes {
            invocation
                .arg(change.user().as_str())
                .arg(if change.is_online() { "1" } else { "0" });
        }
        invocation.invoke_async(conn).await
    }

    /// Replaces this node's set with `users`.
    pub async fn sync(
        &self,
        conn: &mut MultiplexedConnection,
        users: &[Username],
        at: i64,
    ) -> RedisResult<()> {
        let mut invocation = self.invoke(&SYNC, &self.node, at);
        for user in users {
            invocation.arg(user.as_str());
        }
        invocation.invoke_async(conn).await
    }

    /// Removes `node` if its lease is gone; `None` if it is alive. With
    /// `node` set to this node after deleting its lease, this is a clean
    /// departure.
    pub async fn reap(
        &self,
        conn: &mut MultiplexedConnection,
        node: &str,
        at: i64,
    ) -> RedisResult<Option<Vec<String>>> {
        let mut invocation = self.invoke(&REAP, node, at);
        invocation.arg(node);
        invocation.invoke_async(conn).await
    }

    /// Announces a new account.
    pub async fn user_added(
        &self,
        conn: &mut MultiplexedConnection,
        user: &Username,
        at: i64,
    ) -> RedisResult<()> {
        let mut invocation = self.invoke(&USER_ADDED, &self.node, at);
        invocation.arg(user.as_str());
        invocation.invoke_async(conn).await
    }

    /// The current sequence number and online users.
    pub async fn state(&self, conn: &mut MultiplexedConnection) -> RedisResult<(u64, Vec<String>)> {
        let (seq, online): (String, Vec<String>) = self
            .invoke(&STATE, &self.node, 0)
            .invoke_async(conn)
            .await?;
        Ok((seq.parse().unwrap_or(0), online))
    }
}
