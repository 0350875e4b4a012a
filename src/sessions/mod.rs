//! Server-side HTTP sessions.
//!
//! The cookie carries only a random key, signed with `SECRET_KEY`; the
//! state lives on the server. Deleting it (logout) ends the session for
//! every copy of the cookie, which a cookie-only store cannot do.
//!
//! - [`database`]: on a single node, the sea-orm `session` table.
//! - [`redis`]: in cluster mode, actix-session's Redis store, so a cookie
//!   issued by one node is honoured by all. Redis being away never blocks
//!   start-up or a request: operations fail fast and the request gets 503.
//!
//! [`SessionBackend`] is the one `SessionStore` the middleware is built
//! with, whichever mode the process runs in.

pub mod database;
pub mod redis;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;

pub use self::{
    database::{DbSessionStore, PURGE_EVERY, purge_expired, spawn_purger},
    redis::RedisSessions,
};
use database::State;

/// The session store of this process.
#[derive(Clone)]
pub enum SessionBackend {
    /// A single node: sessions in the database.
    Database(DbSessionStore),
    /// Cluster mode: sessions in Redis.
    Redis(RedisSessions),
}

impl SessionBackend {
    /// Whether the store can keep a session now: always in the database;
    /// in Redis once the store has connected.
    pub fn is_ready(&self) -> bool {
        match self {
            Self::Database(_) => true,
            Self::Redis(store) => store.is_open(),
        }
    }
}

impl SessionStore for SessionBackend {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        match self {
            Self::Database(store) => store.load(key).await,
            Self::Redis(store) => store.load(key).await,
        }
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        match self {
            Self::Database(store) => store.save(state, ttl).await,
            Self::Redis(store) => store.save(state, ttl).await,
        }
    }

    async fn update(
        &self,
        key: SessionKey,
        state: State,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        match self {
            Self::Database(store) => store.update(key, state, ttl).await,
            Self::Redis(store) => store.update(key, state, ttl).await,
        }
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        match self {
            Self::Database(store) => store.update_ttl(key, ttl).await,
            Self::Redis(store) => store.update_ttl(key, ttl).await,
        }
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        match self {
            Self::Database(store) => store.delete(key).await,
            Self::Redis(store) => store.delete(key).await,
        }
    }
}
