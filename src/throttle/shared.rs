//! Counters in Redis, shared by the nodes of a cluster.
//!
//! Each counter is one key, `{prefix}:throttle:{key}`, that expires when
//! its window ends, so Redis holds no more keys than attempts made within
//! a window. Scripts make each step atomic across nodes.

use std::sync::LazyLock;

use redis::Script;

use super::{Limit, ThrottleKey, Verdict};
use crate::shared_redis::{SharedRedis, TIMEOUT};

/// Count unless over the limit (`ARGV[2]`), starting the window
/// (`ARGV[1]` ms) on the first attempt. Returns whether it was counted
/// and the window's time left.
static RESERVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if n > tonumber(ARGV[2]) then
  redis.call('DECR', KEYS[1])
  return {0, ttl}
end
return {1, ttl}
",
    )
});

/// Give one attempt back; the last one takes the key with it.
static REFUND: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 1 then redis.call('DECR', KEYS[1]) elseif n == 1 then redis.call('DEL', KEYS[1]) end
return 0
",
    )
});

/// The counters of one cluster.
#[derive(Clone)]
pub(super) struct RedisCounters {
    redis: SharedRedis,
    prefix: String,
}

impl RedisCounters {
    /// Counters under `{prefix}:throttle:`.
    pub(super) fn new(redis: SharedRedis, prefix: &str) -> Self {
        Self {
            redis,
            prefix: format!("{prefix}:throttle:"),
        }
    }

    fn name(&self, key: &ThrottleKey) -> String {
        format!("{}{}", self.prefix, key.as_str())
    }

    pub(super) async fn reserve(&self, key: &ThrottleKey, limit: Limit) -> Verdict {
        let name = self.name(key);
        let window = u64::try_from(limit.window.as_millis()).unwrap_or(u64::MAX);
        let counted = async {
            let mut conn = self.redis.get().await?;
            RESERVE
                .key(&name)
                .arg(window)
                .arg(limit.max)
                .invoke_async::<(u8, i64)>(&mut conn)
                .await
        };
        match tokio::time::timeout(TIMEOUT, counted).await {
            Ok(Ok((1, _))) => Verdict::Allowed,
            Ok(Ok((_, ttl))) => Verdict::Blocked {
                retry_after: std::time::Duration::from_millis(u64::try_from(ttl).unwrap_or(0)),
            },
            other => self.fail_open(other.is_ok()).await,
        }
    }

    pub(super) async fn refund(&self, key: &ThrottleKey) {
        let name = self.name(key);
        let refunded = async {
            let mut conn = self.redis.get().await?;
            REFUND.key(&name).invoke_async::<()>(&mut conn).await
        };
        if !matches!(tokio::time::timeout(TIMEOUT, refunded).await, Ok(Ok(()))) {
            self.fail_open(true).await;
        }
    }

    pub(super) async fn clear(&self, key: &ThrottleKey) {
        let name = self.name(key);
        let deleted = async {
            let mut conn = self.redis.get().await?;
            redis::cmd("DEL")
                .arg(&name)
                .query_async::<()>(&mut conn)
                .await
        };
        if !matches!(tokio::time::timeout(TIMEOUT, deleted).await, Ok(Ok(()))) {
            self.fail_open(true).await;
        }
    }

    async fn fail_open(&self, failed: bool) -> Verdict {
        tracing::warn!(
            timed_out = !failed,
            "rate limit store unavailable; not enforcing the limit"
        );
        self.redis.reset().await;
        Verdict::Allowed
    }
}
