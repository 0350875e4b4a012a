//! The `session` table, shared by every node: one small function per
//! call the session store makes, and [`purge_expired`], which startup
//! runs periodically to remove rows past their expiry.

use std::{collections::HashMap, time::Duration as StdDuration};

use actix_session::storage::{LoadError, SaveError, UpdateError};
use actix_web::cookie::time::Duration;
use entity::session;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
    sea_query::Expr,
};

use crate::{
    auth::token,
    db::{REQUEST_DEADLINE, now_millis, within},
};

/// Session keys are 64 alphanumeric characters: about 380 bits.
const KEY_LEN: usize = 64;

/// How often expired sessions are purged.
pub const PURGE_EVERY: StdDuration = StdDuration::from_secs(600);

/// The session state type of actix-session.
pub(super) type State = HashMap<String, String>;

/// The `session` table of one database. Each call takes the state as its
/// stored JSON `body` and the expiry as Unix ms, so that the memory in
/// front of the table keeps exactly what was written.
#[derive(Clone)]
pub struct SessionTable {
    db: DatabaseConnection,
}

/// When a session given `ttl` from now expires (Unix ms).
pub(super) fn expiry(ttl: &Duration) -> i64 {
    now_millis().saturating_add(i64::try_from(ttl.whole_milliseconds()).unwrap_or(i64::MAX))
}

impl SessionTable {
    /// The table of `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The body and expiry of the live session `key`, if any.
    pub(super) async fn load_row(&self, key: &str) -> Result<Option<(String, i64)>, DbErr> {
        let query = session::Entity::find_by_id(key.to_owned())
            .filter(session::Column::ExpiresAt.gt(now_millis()));
        let row = within(
            REQUEST_DEADLINE,
            crate::lookup::by_unique_key(query, &self.db),
        )
        .await?;
        Ok(row.map(|row| (row.state, row.expires_at)))
    }

    /// Stores a new session under a fresh random key, and returns the key.
    pub(super) async fn insert(&self, body: String, expires_at: i64) -> Result<String, DbErr> {
        let key = token::random(KEY_LEN);
        let row = session::ActiveModel {
            key: Set(key.clone()),
            state: Set(body),
            expires_at: Set(expires_at),
        };
        within(REQUEST_DEADLINE, row.insert(&self.db)).await?;
        Ok(key)
    }

    /// Replaces the live session `key`'s body and expiry; `false` if it
    /// was deleted or had expired.
    pub(super) async fn rewrite(
        &self,
        key: &str,
        body: String,
        expires_at: i64,
    ) -> Result<bool, DbErr> {
        let update = session::Entity::update_many()
            .col_expr(session::Column::State, Expr::value(body))
            .col_expr(session::Column::ExpiresAt, Expr::value(expires_at))
            .filter(session::Column::Key.eq(key))
            .filter(session::Column::ExpiresAt.gt(now_millis()));
        let result = within(REQUEST_DEADLINE, update.exec(&self.db)).await?;
        Ok(result.rows_affected > 0)
    }

    /// Moves session `key`'s expiry.
    pub(super) async fn extend(&self, key: &str, expires_at: i64) -> Result<(), DbErr> {
        let update = session::Entity::update_many()
            .col_expr(session::Column::ExpiresAt, Expr::value(expires_at))
            .filter(session::Column::Key.eq(key));
        within(REQUEST_DEADLINE, update.exec(&self.db)).await?;
        Ok(())
    }

    /// Deletes session `key`.
    pub(super) async fn remove(&self, key: &str) -> Result<(), DbErr> {
        let delete = session::Entity::delete_by_id(key.to_owned());
        within(REQUEST_DEADLINE, delete.exec(&self.db)).await?;
        Ok(())
    }
}

/// The state's stored JSON.
pub(super) fn body_of(state: &State) -> Result<String, serde_json::Error> {
    serde_json::to_string(state)
}

/// The state a stored JSON body holds.
pub(super) fn state_of(body: &str) -> Result<State, LoadError> {
    serde_json::from_str(body).map_err(|err| LoadError::Deserialization(err.into()))
}

/// A failed save as the failure of the update it stood in for: an update
/// whose session was deleted or expired meanwhile (a logout in another
/// tab) saves its state under a fresh key rather than resurrect the old.
pub(super) fn saved_to_updated(err: SaveError) -> UpdateError {
    match err {
        SaveError::Serialization(err) => UpdateError::Serialization(err),
        SaveError::Other(err) => UpdateError::Other(err),
    }
}

/// Deletes every expired session and returns how many there were.
pub async fn purge_expired(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let result = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now_millis()))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Deletes expired sessions now and every [`PURGE_EVERY`], in the
/// background.
pub fn spawn_purger(db: DatabaseConnection) {
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(PURGE_EVERY);
        loop {
            every.tick().await;
            match purge_expired(&db).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "purged expired sessions"),
                Err(err) => tracing::warn!(error = %err, "could not purge expired sessions"),
            }
        }
    });
}
