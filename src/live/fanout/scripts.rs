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

use super::{
    bulletin,
    keys::Keys,
    share::{Share, chose_flag},
};
use crate::{
    auth::Username,
    live::{change::Change, status::Attendance},
};

mod prelude;

use self::prelude::PRELUDE;

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

/// Makes the node's share exactly `ARGV[5..]` (fours of user, code,
/// profile bulletin and whether it is not the default, see [`Share`]):
/// after a (re)connection, the node re-publishes what it holds, profiles
/// included, and whatever Redis lost or kept wrongly is corrected with
/// bulletins. A profile goes before the attendance it goes with.
static SYNC: LazyLock<Script> = LazyLock::new(|| {
    script(
        r#"
local wanted = {}
for i = 5, #ARGV, 4 do wanted[ARGV[i]] = {ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]} end
for _, user in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if not wanted[user] then attend(node, user, nil) end
end
for user, share in pairs(wanted) do
  if keep_profile(user, share[2], share[3]) and redis.call('HEXISTS', KEYS[2], user) == 1 then
    redis.call('PUBLISH', channel, share[2])
  end
  attend(node, user, share[1])
end
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
/// bulletin, `ARGV[7]` '1' unless it is the default) for the cluster's
/// state and for when they come back online, and publishes it.
static PROFILE: LazyLock<Script> = LazyLock::new(|| {
    script(
        r#"
keep_profile(ARGV[5], ARGV[6], ARGV[7])
redis.call('PUBLISH', channel, ARGV[6])
return 0
"#,
    )
});

/// The sequence number, each online user's aggregate code and the
/// profiles of those users, read together (offline users' profiles wait
/// for them to come back).
static STATE: LazyLock<Script> = LazyLock::new(|| {
    script(
        r#"
local online = redis.call('HGETALL', KEYS[2])
local profiles = {}
for i = 1, #online, 2 do
  local profile = redis.call('HGET', KEYS[6], online[i])
  if profile then
    table.insert(profiles, online[i])
    table.insert(profiles, profile)
  end
end
return {redis.call('GET', KEYS[3]) or '0', online, profiles}
"#,
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

    /// Replaces this node's share with `users`, attending as they do and
    /// with what they chose.
    pub async fn sync(
        &self,
        conn: &mut MultiplexedConnection,
        users: &[Share],
        at: i64,
    ) -> RedisResult<()> {
        let mut invocation = self.invoke(&SYNC, &self.node, at);
        for share in users {
            invocation
                .arg(share.user.as_str())
                .arg(share.code.to_string())
                .arg(&share.profile)
                .arg(chose_flag(share.chose));
        }
        invocation.invoke_async(conn).await
    }

    /// Keeps `user`'s profile bulletin (JSON), unless they `chose` nothing
    /// (the default), and publishes it.
    pub async fn profile(
        &self,
        conn: &mut MultiplexedConnection,
        user: &Username,
        bulletin: &str,
        chose: bool,
    ) -> RedisResult<()> {
        let mut invocation = self.invoke(&PROFILE, &self.node, 0);
        invocation
            .arg(user.as_str())
            .arg(bulletin)
            .arg(chose_flag(chose));
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
