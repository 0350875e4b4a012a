//! [`Recollection`]: the sessions a single node remembers, in front of
//! the `session` table.
//!
//! Every request of a logged-in user loads its session: each page, and
//! each socket's handshake. A load from the database is a round trip to
//! another thread (sqlx's SQLite worker, or PostgreSQL), and on the
//! 2-core benchmark machine that hop, not the query, was most of the cost
//! of opening a socket (BENCHMARKS.md, "the zero-database experiment").
//!
//! On a single node this process is the only writer of the `session`
//! table, so what it wrote last is what the table holds: the session
//! store writes through to the table, as before, and answers loads from
//! memory, so a session it saved, or loaded once, loads again with no
//! query. In a cluster any node may log a session out, so there the
//! memory is [`Recollection::off`] and every load asks the table.
//!
//! Three rules keep memory as right as the table:
//! - A write reaches the database first and memory after: a failed write
//!   leaves nothing remembered that the table does not hold.
//! - A logout leaves a [`Memory::Gone`] mark before it deletes the row. A
//!   load that read the row just before the delete finds the mark and
//!   does not put the session back.
//! - Memory is bounded: [`MAX_BYTES`] of keys and states, least recently
//!   used first out, and a session unused for [`FORGET_AFTER`] is
//!   forgotten. A forgotten session is only slower: its next load asks
//!   the database again.

use std::{sync::Arc, time::Duration};

use moka::{ops::compute::Op, policy::EvictionPolicy, sync::Cache};

/// The most memory kept: keys and stored states, plus a fixed allowance
/// per entry for the cache's own bookkeeping. A login's state is about
/// 150 bytes, so this is some 80,000 sessions.
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// A session unused for this long is forgotten (it stays in the
/// database).
pub const FORGET_AFTER: Duration = Duration::from_secs(3600);

/// Bytes charged per entry beyond its key and state.
const ENTRY_OVERHEAD: u32 = 96;

/// What memory holds for one session key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Memory {
    /// The session as the table holds it: its stored state and expiry
    /// (Unix ms).
    Live { body: Arc<str>, expires_at: i64 },
    /// Logged out: the row is deleted, or about to be.
    Gone,
}

/// What this node knows of the session table, for the keys it has seen;
/// nothing at all when off.
#[derive(Clone)]
pub struct Recollection {
    cache: Option<Cache<Arc<str>, Memory>>,
}

impl Recollection {
    /// No memory: every load asks the table (a cluster node).
    pub fn off() -> Self {
        Self { cache: None }
    }

    /// At most `max_bytes` of sessions remembered (a single node).
    pub fn new(max_bytes: u64) -> Self {
        let cache = Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &Arc<str>, memory: &Memory| {
                let body = match memory {
                    Memory::Live { body, .. } => body.len(),
                    Memory::Gone => 0,
                };
                u32::try_from(key.len() + body)
                    .unwrap_or(u32::MAX)
                    .saturating_add(ENTRY_OVERHEAD)
            })
            // TinyLFU may refuse a new entry while full; a refused `Gone`
            // mark would let a racing load bring a logged-out session back.
            .eviction_policy(EvictionPolicy::lru())
            .time_to_idle(FORGET_AFTER)
            .build();
        Self { cache: Some(cache) }
    }

    /// `key`'s entry, to change under its lock, when memory is on.
    fn entry(&self, key: &str, change: impl FnOnce(Option<Memory>) -> Op<Memory>) {
        if let Some(cache) = &self.cache {
            cache
                .entry(Arc::from(key))
                .and_compute_with(|known| change(known.map(|entry| entry.into_value())));
        }
    }

    /// What memory holds for `key`: `Some(None)` for a session that is
    /// gone or has expired, `None` when memory does not know.
    pub(super) fn recall(&self, key: &str, now: i64) -> Option<Option<Arc<str>>> {
        match self.cache.as_ref()?.get(key)? {
            Memory::Live { body, expires_at } if expires_at > now => Some(Some(body)),
            Memory::Live { .. } | Memory::Gone => Some(None),
        }
    }

    /// `key` was just read from the table: remembered, unless memory
    /// learned something newer meanwhile (a write, or a logout).
    pub(super) fn loaded(&self, key: &str, body: Arc<str>, expires_at: i64) {
        self.entry(key, |known| match known {
            None => Op::Put(Memory::Live { body, expires_at }),
            Some(_) => Op::Nop,
        });
    }

    /// `key` was just written to the table: remembered as written, unless
    /// it was logged out meanwhile.
    pub(super) fn wrote(&self, key: &str, body: Arc<str>, expires_at: i64) {
        self.entry(key, |known| match known {
            Some(Memory::Gone) => Op::Nop,
            _ => Op::Put(Memory::Live { body, expires_at }),
        });
    }

    /// `key`'s expiry moved in the table.
    pub(super) fn extended(&self, key: &str, expires_at: i64) {
        self.entry(key, |known| match known {
            Some(Memory::Live { body, .. }) => Op::Put(Memory::Live { body, expires_at }),
            _ => Op::Nop,
        });
    }

    /// A write of `key` failed: what the table holds is no longer known
    /// (a logout mark stays).
    pub(super) fn unsure(&self, key: &str) {
        self.entry(key, |known| match known {
            Some(Memory::Live { .. }) => Op::Remove,
            _ => Op::Nop,
        });
    }

    /// `key` is logged out.
    pub(super) fn gone(&self, key: &str) {
        if let Some(cache) = &self.cache {
            cache.insert(Arc::from(key), Memory::Gone);
        }
    }
}

#[cfg(test)]
mod tests;
