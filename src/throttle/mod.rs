//! Rate limits for logins and sign-ups.
//!
//! A [`Limit`] allows `max` attempts per key in a window that starts with
//! the key's first attempt. An attempt is *reserved* before the work it
//! guards: checking the count and adding to it is one atomic step, so
//! thirty concurrent attempts cannot all pass a limit of five, and a
//! refused one costs no bcrypt. A reservation is given back
//! ([`Throttle::refund`]) when the attempt turned out not to count, and a
//! key is cleared when a success makes its count moot.
//!
//! Keys ([`ThrottleKey`]) are built from parsed values only and are short
//! whatever a client sends.
//!
//! On one node the counters live in memory ([`memory`]), at most
//! [`memory::MAX_KEYS`] of them. In a cluster they live in Redis
//! ([`shared`]), each key expiring with its window, so spreading attempts
//! over nodes gains nothing. If Redis does not answer, the limit is not
//! enforced for that request (and a warning is logged): an outage must not
//! lock everyone out.

pub mod keys;
pub mod memory;
mod shared;

use std::time::Duration;

pub use keys::{AddressBucket, ThrottleKey};

use crate::shared_redis::SharedRedis;

/// At most `max` attempts per key within `window`; `max == 0` means no limit.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// Attempts allowed per window.
    pub max: u32,
    /// How long a window lasts from its first attempt.
    pub window: Duration,
}

impl Limit {
    /// `max` per `window_secs` seconds.
    pub fn new(max: u32, window_secs: u64) -> Self {
        Self {
            max,
            window: Duration::from_secs(window_secs),
        }
    }

    /// Whether the limit is switched off.
    pub fn is_off(&self) -> bool {
        self.max == 0
    }
}

/// Whether an attempt may go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Under the limit, and now counted.
    Allowed,
    /// Over it, until the window ends; not counted.
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
    Memory(memory::Counters),
    Redis(shared::RedisCounters),
}

impl Throttle {
    /// Counters in this process's memory, at most [`memory::MAX_KEYS`].
    pub fn in_memory() -> Self {
        Self::in_memory_with_capacity(memory::MAX_KEYS)
    }

    /// Counters in this process's memory, at most `capacity` of them.
    pub fn in_memory_with_capacity(capacity: u64) -> Self {
        Self {
            backend: Backend::Memory(memory::Counters::new(capacity)),
        }
    }

    /// Counters in Redis, under `prefix`.
    pub fn in_redis(redis: SharedRedis, prefix: &str) -> Self {
        Self {
            backend: Backend::Redis(shared::RedisCounters::new(redis, prefix)),
        }
    }

    /// Counts an attempt for `key` unless it is over `limit`: one atomic
    /// check-and-count.
    pub async fn reserve(&self, key: &ThrottleKey, limit: Limit) -> Verdict {
        if limit.is_off() {
            return Verdict::Allowed;
        }
        match &self.backend {
            Backend::Memory(counters) => counters.reserve(key.digest(), limit),
            Backend::Redis(counters) => counters.reserve(key, limit).await,
        }
    }

    /// Gives back one attempt reserved for `key`, as when the attempt was
    /// never judged (the server was too busy to check it).
    pub async fn refund(&self, key: &ThrottleKey) {
        match &self.backend {
            Backend::Memory(counters) => counters.refund(key.digest()),
            Backend::Redis(counters) => counters.refund(key).await,
        }
    }

    /// Forgets `key`'s attempts, as a successful login does.
    pub async fn clear(&self, key: &ThrottleKey) {
        match &self.backend {
            Backend::Memory(counters) => counters.clear(key.digest()),
            Backend::Redis(counters) => counters.clear(key).await,
        }
    }

    /// How many counters this process holds in memory (0 in Redis mode).
    pub fn len(&self) -> u64 {
        match &self.backend {
            Backend::Memory(counters) => counters.len(),
            Backend::Redis(_) => 0,
        }
    }

    /// Whether no counter is held in memory.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE: Limit = Limit {
        max: 5,
        window: Duration::from_secs(300),
    };

    fn key(name: &str) -> ThrottleKey {
        ThrottleKey::login(
            &crate::auth::Username::parse(name).unwrap(),
            AddressBucket::of(None),
        )
    }

    #[actix_web::test]
    async fn the_sixth_attempt_within_the_window_is_blocked_and_not_counted() {
        let throttle = Throttle::in_memory();
        for _ in 0..5 {
            assert_eq!(throttle.reserve(&key("k"), FIVE).await, Verdict::Allowed);
        }
        let blocked = throttle.reserve(&key("k"), FIVE).await;
        assert!(
            matches!(blocked, Verdict::Blocked { retry_after } if retry_after > Duration::from_secs(290))
        );
        // A refund makes room for exactly one more.
        throttle.refund(&key("k")).await;
        assert_eq!(throttle.reserve(&key("k"), FIVE).await, Verdict::Allowed);
        assert_ne!(throttle.reserve(&key("k"), FIVE).await, Verdict::Allowed);
    }

    #[actix_web::test]
    async fn keys_are_counted_apart_and_clearing_resets() {
        let throttle = Throttle::in_memory();
        for _ in 0..5 {
            throttle.reserve(&key("a"), FIVE).await;
        }
        assert_eq!(throttle.reserve(&key("b"), FIVE).await, Verdict::Allowed);
        throttle.clear(&key("a")).await;
        assert_eq!(throttle.reserve(&key("a"), FIVE).await, Verdict::Allowed);
    }

    #[actix_web::test]
    async fn a_window_that_ended_starts_afresh() {
        let throttle = Throttle::in_memory();
        let short = Limit {
            max: 1,
            window: Duration::from_millis(50),
        };
        throttle.reserve(&key("k"), short).await;
        assert!(matches!(
            throttle.reserve(&key("k"), short).await,
            Verdict::Blocked { .. }
        ));
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert_eq!(throttle.reserve(&key("k"), short).await, Verdict::Allowed);
    }

    #[actix_web::test]
    async fn a_zero_limit_never_blocks_and_holds_nothing() {
        let throttle = Throttle::in_memory();
        for _ in 0..100 {
            assert_eq!(
                throttle.reserve(&key("k"), Limit::new(0, 1)).await,
                Verdict::Allowed
            );
        }
        assert!(throttle.is_empty());
    }
}
