//! Rate limits for logins and sign-ups.
//!
//! A [`Limit`] allows `max` events per key in a window that starts with the
//! key's first event. Logins count failures per username and client
//! address, so someone else's failures never lock a user out from their
//! own address; sign-ups count attempts per address. A throttled request
//! is refused before any bcrypt work, so a flood of bad logins cannot eat
//! the CPU.
//!
//! On one node the counters live in memory. In a cluster they live in
//! Redis, so spreading attempts over nodes gains nothing. If Redis does not
//! answer, the limit is not enforced for that request (and a warning is
//! logged): an outage must not lock everyone out.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use redis::Script;

use crate::shared_redis::{SharedRedis, TIMEOUT};

/// At most `max` events per key within `window`; `max == 0` means no limit.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// Events allowed per window.
    pub max: u32,
    /// How long a window lasts from its first event.
    pub window: Duration,
}

/// Whether a key may go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Under the limit.
    Allowed,
    /// Over it, until the window ends.
    Blocked {
        /// Time left in the window.
        retry_after: Duration,
    },
}

/// Where counters are kept.
#[derive(Clone)]
pub struct Throttle {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Memory(Arc<Mutex<HashMap<String, Window>>>),
    Redis { redis: SharedRedis, prefix: String },
}

#[derive(Clone, Copy)]
struct Window {
    count: u32,
    ends: Instant,
}

/// Prune expired windows once the table holds this many keys.
const PRUNE_AT: usize = 100_000;

/// `INCR`, start the window on the first event, return count and time left.
const HIT: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
";

impl Throttle {
    /// Counters in this process's memory.
    pub fn in_memory() -> Self {
        Self {
            backend: Backend::Memory(Arc::default()),
        }
    }

    /// Counters in Redis, under `prefix`.
    pub fn in_redis(redis: SharedRedis, prefix: &str) -> Self {
        Self {
            backend: Backend::Redis {
                redis,
                prefix: format!("{prefix}:throttle:"),
            },
        }
    }

    /// Whether `key` is over `limit` now, without counting an event.
    pub async fn check(&self, key: &str, limit: Limit) -> Verdict {
        if limit.max == 0 {
            return Verdict::Allowed;
        }
        let (count, left) = match &self.backend {
            Backend::Memory(table) => {
                let now = Instant::now();
                let table = table
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                match table.get(key) {
                    Some(window) if window.ends > now => (window.count, window.ends - now),
                    _ => (0, Duration::ZERO),
                }
            }
            Backend::Redis { redis, prefix } => {
                let key = format!("{prefix}{key}");
                let read = async {
                    let mut conn = redis.get().await?;
                    redis::pipe()
                        .cmd("GET")
                        .arg(&key)
                        .cmd("PTTL")
                        .arg(&key)
                        .query_async::<(Option<u32>, i64)>(&mut conn)
                        .await
                };
                match tokio::time::timeout(TIMEOUT, read).await {
                    Ok(Ok((count, ttl))) => (count.unwrap_or(0), millis(ttl)),
                    other => return fail_open(redis, other.err().is_none()).await,
                }
            }
        };
        verdict(count, limit, left)
    }

    /// Counts one event for `key` and says whether it went over `limit`.
    pub async fn hit(&self, key: &str, limit: Limit) -> Verdict {
        if limit.max == 0 {
            return Verdict::Allowed;
        }
        match &self.backend {
            Backend::Memory(table) => {
                let now = Instant::now();
                let mut table = table
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                if table.len() >= PRUNE_AT {
                    table.retain(|_, window| window.ends > now);
                }
                let window = table.entry(key.to_owned()).or_insert(Window {
                    count: 0,
                    ends: now + limit.window,
                });
                if window.ends <= now {
                    *window = Window {
                        count: 0,
                        ends: now + limit.window,
                    };
                }
                window.count += 1;
                verdict(window.count.saturating_sub(1), limit, window.ends - now)
            }
            Backend::Redis { redis, prefix } => {
                let key = format!("{prefix}{key}");
                let window = u64::try_from(limit.window.as_millis()).unwrap_or(u64::MAX);
                let count = async {
                    let mut conn = redis.get().await?;
                    Script::new(HIT)
                        .key(&key)
                        .arg(window)
                        .invoke_async::<(u32, i64)>(&mut conn)
                        .await
                };
                match tokio::time::timeout(TIMEOUT, count).await {
                    Ok(Ok((count, ttl))) => verdict(count.saturating_sub(1), limit, millis(ttl)),
                    other => fail_open(redis, other.err().is_none()).await,
                }
            }
        }
    }

    /// Forgets `key`'s events, as a successful login does.
    pub async fn clear(&self, key: &str) {
        match &self.backend {
            Backend::Memory(table) => {
                table
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .remove(key);
            }
            Backend::Redis { redis, prefix } => {
                let key = format!("{prefix}{key}");
                let delete = async {
                    let mut conn = redis.get().await?;
                    redis::cmd("DEL")
                        .arg(&key)
                        .query_async::<()>(&mut conn)
                        .await
                };
                if !matches!(tokio::time::timeout(TIMEOUT, delete).await, Ok(Ok(()))) {
                    fail_open(redis, true).await;
                }
            }
        }
    }
}

/// `before` events had happened before this one.
fn verdict(before: u32, limit: Limit, left: Duration) -> Verdict {
    if before >= limit.max {
        Verdict::Blocked { retry_after: left }
    } else {
        Verdict::Allowed
    }
}

fn millis(ttl: i64) -> Duration {
    Duration::from_millis(u64::try_from(ttl).unwrap_or(0))
}

async fn fail_open(redis: &SharedRedis, failed: bool) -> Verdict {
    tracing::warn!(
        timed_out = !failed,
        "rate limit store unavailable; not enforcing the limit"
    );
    redis.reset().await;
    Verdict::Allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE: Limit = Limit {
        max: 5,
        window: Duration::from_secs(300),
    };

    #[actix_web::test]
    async fn the_sixth_event_within_the_window_is_blocked() {
        let throttle = Throttle::in_memory();
        for _ in 0..5 {
            assert_eq!(throttle.check("k", FIVE).await, Verdict::Allowed);
            assert_eq!(throttle.hit("k", FIVE).await, Verdict::Allowed);
        }
        assert!(
            matches!(throttle.check("k", FIVE).await, Verdict::Blocked { retry_after } if retry_after > Duration::from_secs(290))
        );
    }

    #[actix_web::test]
    async fn keys_are_counted_apart_and_clearing_resets() {
        let throttle = Throttle::in_memory();
        for _ in 0..5 {
            throttle.hit("a", FIVE).await;
        }
        assert_eq!(throttle.check("b", FIVE).await, Verdict::Allowed);
        throttle.clear("a").await;
        assert_eq!(throttle.check("a", FIVE).await, Verdict::Allowed);
    }

    #[actix_web::test]
    async fn a_window_that_ended_starts_afresh() {
        let throttle = Throttle::in_memory();
        let short = Limit {
            max: 1,
            window: Duration::from_millis(50),
        };
        throttle.hit("k", short).await;
        assert!(matches!(
            throttle.check("k", short).await,
            Verdict::Blocked { .. }
        ));
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert_eq!(throttle.check("k", short).await, Verdict::Allowed);
    }

    #[actix_web::test]
    async fn a_zero_limit_never_blocks() {
        let throttle = Throttle::in_memory();
        let off = Limit {
            max: 0,
            window: Duration::from_secs(1),
        };
        for _ in 0..100 {
            assert_eq!(throttle.hit("k", off).await, Verdict::Allowed);
        }
    }
}
