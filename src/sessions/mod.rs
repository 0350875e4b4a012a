//! Server-side HTTP sessions.
//!
//! The cookie carries only a random key, signed with `SECRET_KEY` (or the
//! key kept in the database); the state lives on the server, in the
//! `session` table of the database every node shares ([`database`]).
//! Deleting it (logout) ends the session for every copy of the cookie, on
//! every node at once, which a cookie-only store cannot do.
//!
//! The database is the one source of truth in cluster mode too: Redis
//! holds presence, which the nodes rebuild within seconds, but it may lose
//! its memory (a restart without persistence), and a login must not be
//! lost with it.
//!
//! [`SessionBackend`] is the one `SessionStore` the middleware is built
//! with, whichever mode the process runs in: on a single node the
//! database with what it holds [`remembered`] in memory, so a logged-in
//! request loads its session with no query; in a cluster, where any node
//! may log a session out, the database alone.

pub mod database;
pub mod remembered;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;

pub use self::{
    database::{DbSessionStore, PURGE_EVERY, purge_expired, spawn_purger},
    remembered::RememberedSessions,
};
use database::State;

/// The session store of this process.
#[derive(Clone)]
pub enum SessionBackend {
    /// Sessions in the shared database (a cluster).
    Database(DbSessionStore),
    /// Sessions in the database, remembered by the one node that writes
    /// them.
    Remembered(RememberedSessions),
}

impl SessionBackend {
    /// Whether the store can keep a session now. The database store always
    /// can (a failing query fails its request on its own).
    pub fn is_ready(&self) -> bool {
        match self {
            Self::Database(_) | Self::Remembered(_) => true,
        }
    }
}

/// Calls `$call` on whichever store `$backend` is.
macro_rules! on_store {
    ($backend:expr, $store:ident => $call:expr) => {
        match $backend {
            SessionBackend::Database($store) => $call.await,
            SessionBackend::Remembered($store) => $call.await,
        }
    };
}

impl SessionStore for SessionBackend {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        on_store!(self, store => store.load(key))
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        on_store!(self, store => store.save(state, ttl))
    }

    async fn update(
        &self,
        key: SessionKey,
        state: State,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        on_store!(self, store => store.update(key, state, ttl))
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        on_store!(self, store => store.update_ttl(key, ttl))
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        on_store!(self, store => store.delete(key))
    }
}
