//! Counters in this process's memory, for a single node.
//!
//! A moka cache holds them, bounded to [`MAX_KEYS`] entries: each one
//! expires when its window ends, and past the bound the least recently
//! used go first. So a flood of fresh keys (from many addresses) costs a
//! fixed amount of memory, and never a scan of the table: moka evicts
//! and expires in small amortised steps. A reservation is one atomic
//! `and_compute_with` on its key, under that key's lock only.
//!
//! Eviction is least recently used rather than moka's default TinyLFU,
//! which may refuse to admit a new key while the cache is full, and so
//! would leave an attacker's first attempts uncounted.

use std::time::{Duration, Instant};

use moka::{Expiry, ops::compute::Op, policy::EvictionPolicy, sync::Cache};

use super::{Limit, Verdict};
use crate::metrics::THROTTLE_KEYS;

/// The most counters kept at once; each takes about 150 bytes.
pub const MAX_KEYS: u64 = 100_000;

/// One key's window: attempts counted so far, and when the window ends.
#[derive(Clone, Copy, Debug)]
struct Window {
    count: u32,
    ends: Instant,
}

/// Entries live until their window ends, however often they change.
struct UntilWindowEnds;

impl Expiry<[u8; 16], Window> for UntilWindowEnds {
    fn expire_after_create(&self, _: &[u8; 16], window: &Window, now: Instant) -> Option<Duration> {
        Some(window.ends.saturating_duration_since(now))
    }

    fn expire_after_update(
        &self,
        _: &[u8; 16],
        window: &Window,
        now: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(window.ends.saturating_duration_since(now))
    }
}

/// The counters, keyed by the digest of their [`super::ThrottleKey`].
#[derive(Clone)]
pub(super) struct Counters {
    cache: Cache<[u8; 16], Window>,
}

impl Counters {
    /// At most `capacity` counters.
    pub(super) fn new(capacity: u64) -> Self {
        Self {
            cache: Cache::builder()
                .max_capacity(capacity)
                .eviction_policy(EvictionPolicy::lru())
                .expire_after(UntilWindowEnds)
                .build(),
        }
    }

    /// Counts an attempt if the key is under `limit`: check and count in
    /// one step.
    pub(super) fn reserve(&self, key: [u8; 16], limit: Limit) -> Verdict {
        let now = Instant::now();
        let mut verdict = Verdict::Allowed;
        self.cache.entry(key).and_compute_with(|entry| {
            let current = entry.map(|entry| entry.into_value());
            match current.filter(|window| window.ends > now) {
                Some(window) if window.count >= limit.max => {
                    verdict = Verdict::Blocked {
                        retry_after: window.ends - now,
                    };
                    Op::Nop
                }
                Some(window) => Op::Put(Window {
                    count: window.count + 1,
                    ..window
                }),
                None => Op::Put(Window {
                    count: 1,
                    ends: now + limit.window,
                }),
            }
        });
        self.publish();
        verdict
    }

    /// Gives one attempt back.
    pub(super) fn refund(&self, key: [u8; 16]) {
        self.cache.entry(key).and_compute_with(|entry| match entry {
            Some(entry) if entry.value().count > 1 => {
                let window = entry.into_value();
                Op::Put(Window {
                    count: window.count - 1,
                    ..window
                })
            }
            Some(_) => Op::Remove,
            None => Op::Nop,
        });
        self.publish();
    }

    /// Forgets the key.
    pub(super) fn clear(&self, key: [u8; 16]) {
        self.cache.invalidate(&key);
        self.publish();
    }

    /// How many counters are held, once moka's pending upkeep is done.
    pub(super) fn len(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.entry_count()
    }

    fn publish(&self) {
        // Bounded, amortised upkeep: what moka would do on a later write.
        metrics::gauge!(THROTTLE_KEYS).set(self.len() as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE: Limit = Limit {
        max: 5,
        window: Duration::from_secs(300),
    };

    #[test]
    fn the_table_never_holds_more_than_its_capacity() {
        let counters = Counters::new(100);
        for i in 0..1000u32 {
            let mut key = [0; 16];
            key[..4].copy_from_slice(&i.to_be_bytes());
            counters.reserve(key, FIVE);
        }
        assert!(counters.len() <= 100, "{} counters", counters.len());
    }

    #[test]
    fn a_key_under_attack_keeps_its_count_through_a_flood_of_others() {
        let counters = Counters::new(100);
        let target = [0xff; 16];
        for round in 0..5u32 {
            assert_eq!(counters.reserve(target, FIVE), Verdict::Allowed);
            for i in 0..50u32 {
                let mut key = [0; 16];
                key[..8].copy_from_slice(&[round.to_be_bytes(), i.to_be_bytes()].concat());
                counters.reserve(key, FIVE);
            }
        }
        assert!(matches!(
            counters.reserve(target, FIVE),
            Verdict::Blocked { .. }
        ));
    }

    #[test]
    fn a_refund_of_the_last_attempt_frees_the_entry() {
        let counters = Counters::new(100);
        counters.reserve([1; 16], FIVE);
        counters.refund([1; 16]);
        assert_eq!(counters.len(), 0);
    }
}
