//! The Lua scripts that change the cluster's presence state atomically.
//!
//! Every script gets the same keys, so each reads like a paragraph:
//! `KEYS[1]` the node's user set, `KEYS[2]` the online hash, `KEYS[3]` the
//! sequence number, `KEYS[4]` the node's lease, `KEYS[5]` the node
//! registry, `KEYS[6]` the profiles hash; `ARGV[1]` the channel, `ARGV[2]`
//! the time (Unix ms), `ARGV[3]` the key prefix and `ARGV[4]` the node.
//!
//! How a user attends on each node is a code (see [`bulletin::code`]) in
//! the hash `{prefix}:attend:{user}`, node → code. How they attend in the
//! cluster is the bitwise OR of those codes: active if active on some
//! node (so away only when idle on every node), on every kind of device of
//! every node. The online hash keeps that aggregate per user. A script
//! that changes it publishes a bulletin in the same atomic step, so there
//! is exactly one bulletin per cluster-wide change, and sequence numbers
//! follow the order of the changes.
//!
//! [`bulletin::code`]: super::bulletin::code

use std::sync::LazyLock;

use redis::{RedisResult, Script, aio::MultiplexedConnection};

use super::{bulletin, keys::Keys};
use crate::{
    auth::Username,
    live::{change::Change, status::Attendance},
};

/// Helpers every script starts with.
const PRELUDE: &str = r#"
local channel, at, prefix, node = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local function announce(message)
  message.seq = redis.call('INCR', KEYS[3])
  redis.call('PUBLISH', channel, cjson.encode(message))
end
local function attend_key(user) return prefix .. ':attend:' .. user end
-- Recomputes the user's aggregate; announces it if it changed. True if
-- the user went offline in the cluster.
local function refresh(user)
  local before = redis.call('HGET', KEYS[2], user)
  local codes = redis.call('HVALS', attend_key(user))
  if #codes == 0 then
    if before then
      redis.call('HDEL', KEYS[2], user)
      redis.call('HDEL', KEYS[6], user)
      announce({kind = 'presence', user = user, online = false, at = at})
      return true
    end
    return false
  end
  local code = 0
  for _, each in ipairs(codes) do code = bit.bor(code, tonumber(each)) end
  if tostring(code) ~= before then
    redis.call('HSET', KEYS[2], user, code)
    announce({kind = 'presence', user = user, online = true, code = code})
  end
  return false
end
-- How `user` attends on node `on`: a code, or nil for not at all.
local function attend(on, user, code)
  if code then
    redis.call('SADD', KEYS[1], user)
    redis.call('HSET', attend_key(user), on, code)
  else
    redis.call('SREM', KEYS[1], user)
    redis.call('HDEL', attend_key(user), on)
  end
  return refresh(user)
end
"#;

fn script(body: &str) -> Script {
    Script::new(&format!("{PRELUDE}\n{body}"))
}

/// `ARGV[5..]` are pairs of user and code (`-` for offline here).
static CHANGES: LazyLock<Script> = LazyLock::new(|| {
    script(
        r#"
for i = 5, #ARGV, 2 do
  local code = ARGV[i + 1]
  if code == '-' then attend(node, ARGV[i], nil) else attend(node, ARGV[i], code) end
end
return 0
"#,
    )
});

/// Makes the node's share exactly `ARGV[5..]` (pairs of user and code):
/// after a (re)connection, the node re-publishes what it holds, and
/// whatever Redis lost or kept wrongly is corrected with bulletins.
static SYNC: LazyLock<Script> = LazyLock::new(|| {
    script(
        r#"
local wanted = {}
for i = 5, #ARGV, 2 do wanted[ARGV[i]] = ARGV[i + 1] end
for _, user in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if not wanted[user] then attend(node, user, nil) end
end
for user, code in pairs(wanted) do attend(node, user, code) end
return 0
"#,
    )
});

/// Removes node `ARGV[4]`, whose lease has run out. Returns nil if the
/// lease still exists, else the users who went offline.
static REAP: LazyLock<Script> = LazyLock::new(|| {
    script(
        r#"
if redis.call('EXISTS', KEYS[4]) == 1 then return false end
local gone = {}
for _, user in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if attend(node, user, nil) then table.insert(gone, user) end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[5], node)
return gone
"#,
    )
});

/// Announces a new account (`ARGV[5]`).
static USER_ADDED: LazyLock<Script> =
    LazyLock::new(|| script("announce({kind = 'user_added', user = ARGV[5]})\nreturn 0"));

/// Keeps a user's profile (`ARGV[5]` the user, `ARGV[6]` the profile
/// bulletin) for the cluster's state, and publishes it.
static PROFILE: LazyLock<Script> = LazyLock::new(|| {
    script(
        r#"
redis.call('HSET', KEYS[6], ARGV[5], ARGV[6])
redis.call('PUBLISH', channel, ARGV[6])
return 0
"#,
    )
});

/// The sequence number, each online user's aggregate code and the kept
/// profiles, read together.
static STATE: LazyLock<Script> = LazyLock::new(|| {
    script(
        "return {redis.call('GET', KEYS[3]) or '0', redis.call('HGETALL', KEYS[2]), \
         redis.call('HGETALL', KEYS[6])}",
    )
});

/// A Redis hash as pairs of field and value.
type Pairs = Vec<(String, String)>;

/// The cluster's state: its sequence number, who is online and how, and
/// the profiles (bulletins) of users online.
pub struct State {
    /// The sequence number of the last bulletin it includes.
    pub seq: u64,
    /// Every online user and how they attend, across nodes.
    pub online: Vec<(String, Attendance)>,
    /// Profile bulletins, as JSON.
    pub profiles: Vec<String>,
}

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
            .key(self.keys.profiles())
            .arg(self.keys.channel())
            .arg(at)
            .arg(self.keys.prefix())
            .arg(node);
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
                .arg(wire_code(change));
        }
        invocation.invoke_async(conn).await
    }

    /// Replaces this node's share with `users`, attending as they do.
    pub async fn sync(
        &self,
        conn: &mut MultiplexedConnection,
        users: &[(Username, Attendance)],
        at: i64,
    ) -> RedisResult<()> {
        let mut invocation = self.invoke(&SYNC, &self.node, at);
        for (user, attendance) in users {
            invocation
                .arg(user.as_str())
                .arg(bulletin::code(*attendance).to_string());
        }
        invocation.invoke_async(conn).await
    }

    /// Keeps `user`'s profile bulletin (JSON) and publishes it.
    pub async fn profile(
        &self,
        conn: &mut MultiplexedConnection,
        user: &Username,
        bulletin: &str,
    ) -> RedisResult<()> {
        let mut invocation = self.invoke(&PROFILE, &self.node, 0);
        invocation.arg(user.as_str()).arg(bulletin);
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
        self.invoke(&REAP, node, at).invoke_async(conn).await
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

    /// The cluster's current state.
    pub async fn state(&self, conn: &mut MultiplexedConnection) -> RedisResult<State> {
        let (seq, online, profiles): (String, Pairs, Pairs) = self
            .invoke(&STATE, &self.node, 0)
            .invoke_async(conn)
            .await?;
        Ok(State {
            seq: seq.parse().unwrap_or(0),
            online: online
                .into_iter()
                .filter_map(|(user, code)| Some((user, bulletin::attendance(code.parse().ok()?))))
                .collect(),
            profiles: profiles.into_iter().map(|(_, profile)| profile).collect(),
        })
    }
}

/// A change as the scripts take it: the code of how the user attends on
/// this node, or `-` for not at all.
fn wire_code(change: &Change) -> String {
    match change.attendance {
        Some(attendance) => bulletin::code(attendance).to_string(),
        None => "-".to_owned(),
    }
}
