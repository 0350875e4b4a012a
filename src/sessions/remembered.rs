//! Sessions remembered in this process's memory, in front of the
//! database, on a single node.
//!
//! Every request of a logged-in user loads its session: each page, and
//! each socket's handshake. A load from the database is a round trip to
//! another thread (sqlx's SQLite worker, or PostgreSQL), and on the
//! 2-core benchmark machine that hop, not the query, was most of the cost
//! of opening a socket (BENCHMARKS.md, "the zero-database experiment").
//!
//! On a single node this process is the only writer of the `session`
//! table, so what it wrote last is what the table holds. The
//! [`RememberedSessions`] store writes through to the database, as
//! before, and answers loads from memory: a session it saved, or loaded
//! once, loads again with no query. In a cluster any node may log a
//! session out, so there every load asks the database (see
//! `Deployment::session_store`).
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

use std::{sync::Arc, time::Duration as StdDuration};

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use moka::{ops::compute::Op, policy::EvictionPolicy, sync::Cache};

use super::database::{DbSessionStore, State, body_of, expiry, saved_to_updated, state_of};
use crate::db::now_millis;

/// The most memory kept: keys and stored states, plus a fixed allowance
/// per entry for the cache's own bookkeeping. A login's state is about
/// 150 bytes, so this is some 80,000 sessions.
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// A session unused for this long is forgotten (it stays in the
/// database).
pub const FORGET_AFTER: StdDuration = StdDuration::from_secs(3600);

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

/// What this node knows of the session table, for the keys it has seen.
#[derive(Clone)]
pub(super) struct Recollection {
    cache: Cache<Arc<str>, Memory>,
}

impl Recollection {
    pub(super) fn new(max_bytes: u64) -> Self {
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
        Self { cache }
    }

    /// What memory holds for `key`: `Some(None)` for a session that is
    /// gone or has expired, `None` when memory does not know.
    pub(super) fn recall(&self, key: &str, now: i64) -> Option<Option<Arc<str>>> {
        match self.cache.get(key)? {
            Memory::Live { body, expires_at } if expires_at > now => Some(Some(body)),
            Memory::Live { .. } | Memory::Gone => Some(None),
        }
    }

    /// `key` was just read from the table: remembered, unless memory
    /// learned something newer meanwhile (a write, or a logout).
    pub(super) fn loaded(&self, key: &str, body: Arc<str>, expires_at: i64) {
        self.cache
            .entry(Arc::from(key))
            .and_compute_with(|known| match known {
                None => Op::Put(Memory::Live { body, expires_at }),
                Some(_) => Op::Nop,
            });
    }

    /// `key` was just written to the table: remembered as written, unless
    /// it was logged out meanwhile.
    pub(super) fn wrote(&self, key: &str, body: Arc<str>, expires_at: i64) {
        self.cache.entry(Arc::from(key)).and_compute_with(|known| {
            match known.map(|entry| entry.into_value()) {
                Some(Memory::Gone) => Op::Nop,
                _ => Op::Put(Memory::Live { body, expires_at }),
            }
        });
    }

    /// `key`'s expiry moved in the table.
    pub(super) fn extended(&self, key: &str, expires_at: i64) {
        self.cache.entry(Arc::from(key)).and_compute_with(|known| {
            match known.map(|entry| entry.into_value()) {
                Some(Memory::Live { body, .. }) => Op::Put(Memory::Live { body, expires_at }),
                _ => Op::Nop,
            }
        });
    }

    /// A write of `key` failed: what the table holds is no longer known
    /// (a logout mark stays).
    pub(super) fn unsure(&self, key: &str) {
        self.cache.entry(Arc::from(key)).and_compute_with(|known| {
            match known.map(|entry| entry.into_value()) {
                Some(Memory::Live { .. }) => Op::Remove,
                _ => Op::Nop,
            }
        });
    }

    /// `key` is logged out.
    pub(super) fn gone(&self, key: &str) {
        self.cache.insert(Arc::from(key), Memory::Gone);
    }
}

/// The session store of a single node: the database, with what it holds
/// remembered.
#[derive(Clone)]
pub struct RememberedSessions {
    db: DbSessionStore,
    memory: Recollection,
}

impl RememberedSessions {
    /// The sessions of `db`, remembered in at most [`MAX_BYTES`].
    pub fn new(db: DbSessionStore) -> Self {
        Self {
            db,
            memory: Recollection::new(MAX_BYTES),
        }
    }
}

impl SessionStore for RememberedSessions {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let key = key.as_ref();
        if let Some(known) = self.memory.recall(key, now_millis()) {
            return known.map(|body| state_of(&body)).transpose();
        }
        let row = self
            .db
            .load_row(key)
            .await
            .map_err(|err| LoadError::Other(err.into()))?;
        let Some((body, expires_at)) = row else {
            return Ok(None);
        };
        let state = state_of(&body)?;
        self.memory.loaded(key, Arc::from(body), expires_at);
        Ok(Some(state))
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        let body = body_of(&state).map_err(|err| SaveError::Serialization(err.into()))?;
        let expires_at = expiry(ttl);
        let key = self
            .db
            .insert(body.clone(), expires_at)
            .await
            .map_err(|err| SaveError::Other(err.into()))?;
        self.memory.wrote(&key, Arc::from(body), expires_at);
        SessionKey::try_from(key).map_err(|err| SaveError::Other(err.into()))
    }

    async fn update(
        &self,
        key: SessionKey,
        state: State,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let body = body_of(&state).map_err(|err| UpdateError::Serialization(err.into()))?;
        let expires_at = expiry(ttl);
        match self
            .db
            .rewrite(key.as_ref(), body.clone(), expires_at)
            .await
        {
            Ok(true) => {
                self.memory.wrote(key.as_ref(), Arc::from(body), expires_at);
                Ok(key)
            }
            Ok(false) => {
                // Logged out or expired meanwhile: it stays gone, and the
                // state goes under a fresh key.
                self.memory.gone(key.as_ref());
                self.save(state, ttl).await.map_err(saved_to_updated)
            }
            Err(err) => {
                self.memory.unsure(key.as_ref());
                Err(UpdateError::Other(err.into()))
            }
        }
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        let expires_at = expiry(ttl);
        match self.db.extend(key.as_ref(), expires_at).await {
            Ok(()) => {
                self.memory.extended(key.as_ref(), expires_at);
                Ok(())
            }
            Err(err) => {
                self.memory.unsure(key.as_ref());
                Err(err.into())
            }
        }
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        // The mark first: a load racing this delete must not find the
        // session in memory after it, whether or not the row goes.
        self.memory.gone(key.as_ref());
        Ok(self.db.remove(key.as_ref()).await?)
    }
}

#[cfg(test)]
mod tests;
