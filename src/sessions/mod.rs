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
//! with, whichever mode the process runs in.

pub mod database;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;

pub use self::database::{DbSessionStore, PURGE_EVERY, purge_expired, spawn_purger};
use database::State;

/// The session store of this process.
#[derive(Clone)]
pub enum SessionBackend {
    /// Sessions in the shared database.
    Database(DbSessionStore),
}

impl SessionBackend {
    /// Whether the store can keep a session now. The database store always
    /// can (a failing query fails its request on its own).
    pub fn is_ready(&self) -> bool {
        match self {
            Self::Database(_) => true,
        }
    }
}

impl SessionStore for SessionBackend {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let Self::Database(store) = self;
        store.load(key).await
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        let Self::Database(store) = self;
        store.save(state, ttl).await
    }

    async fn update(
        &self,
        key: SessionKey,
        state: State,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let Self::Database(store) = self;
        store.update(key, state, ttl).await
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        let Self::Database(store) = self;
        store.update_ttl(key, ttl).await
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        let Self::Database(store) = self;
        store.delete(key).await
    }
}
