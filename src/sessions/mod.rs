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
//! with, whichever mode the process runs in: the [`database`] table, with
//! what it holds [`remembered`] in memory on a single node, so that a
//! logged-in request loads its session with no query. In a cluster,
//! where any node may log a session out, the memory is off.

pub mod database;
pub mod remembered;

use std::sync::Arc;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use sea_orm::DatabaseConnection;

pub use self::database::{PURGE_EVERY, SessionTable, purge_expired, spawn_purger};
use self::{
    database::{State, body_of, expiry, saved_to_updated, state_of},
    remembered::{MAX_BYTES, Recollection},
};
use crate::db::now_millis;

/// The session store of this process: the table, and what this node
/// remembers of it.
#[derive(Clone)]
pub struct SessionBackend {
    table: SessionTable,
    memory: Recollection,
}

impl SessionBackend {
    /// The sessions of `db`, every load asking the table (a cluster node).
    pub fn in_table(db: DatabaseConnection) -> Self {
        Self {
            table: SessionTable::new(db),
            memory: Recollection::off(),
        }
    }

    /// The sessions of `db`, remembered in at most [`MAX_BYTES`] (a single
    /// node, the table's only writer).
    pub fn remembered(db: DatabaseConnection) -> Self {
        Self {
            table: SessionTable::new(db),
            memory: Recollection::new(MAX_BYTES),
        }
    }

    /// Whether the store can keep a session now. It always can (a failing
    /// query fails its request on its own).
    pub fn is_ready(&self) -> bool {
        true
    }
}

impl SessionStore for SessionBackend {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let key = key.as_ref();
        if let Some(known) = self.memory.recall(key, now_millis()) {
            return known.map(|body| state_of(&body)).transpose();
        }
        let row = self
            .table
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
            .table
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
            .table
            .rewrite(key.as_ref(), body.clone(), expires_at)
            .await
        {
            Ok(true) => {
                self.memory.wrote(key.as_ref(), Arc::from(body), expires_at);
                Ok(key)
            }
            Ok(false) => {
                // Logged out or expired meanwhile (a logout in another
                // tab): it stays gone, and the state goes under a fresh key.
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
        match self.table.extend(key.as_ref(), expires_at).await {
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
        Ok(self.table.remove(key.as_ref()).await?)
    }
}

#[cfg(test)]
mod tests;
