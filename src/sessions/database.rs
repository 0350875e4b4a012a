//! Sessions in the shared database, on a single node or a cluster.
//!
//! [`DbSessionStore`] implements actix-session's `SessionStore` over the
//! sea-orm `session` table. [`purge_expired`] removes rows past their
//! expiry; startup runs it periodically.

use std::{collections::HashMap, time::Duration as StdDuration};

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
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

/// actix-session's `SessionStore` over the `session` table.
#[derive(Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl DbSessionStore {
    /// A store over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn expiry(ttl: &Duration) -> i64 {
    now_millis().saturating_add(i64::try_from(ttl.whole_milliseconds()).unwrap_or(i64::MAX))
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let query = session::Entity::find_by_id(key.as_ref().to_owned())
            .filter(session::Column::ExpiresAt.gt(now_millis()));
        let row = within(
            REQUEST_DEADLINE,
            crate::lookup::by_unique_key(query, &self.db),
        )
        .await
        .map_err(|err| LoadError::Other(err.into()))?;
        row.map(|row| serde_json::from_str(&row.state))
            .transpose()
            .map_err(|err| LoadError::Deserialization(err.into()))
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        let body =
            serde_json::to_string(&state).map_err(|err| SaveError::Serialization(err.into()))?;
        let key = token::random(KEY_LEN);
        let row = session::ActiveModel {
            key: Set(key.clone()),
            state: Set(body),
            expires_at: Set(expiry(ttl)),
        };
        within(REQUEST_DEADLINE, row.insert(&self.db))
            .await
            .map_err(|err| SaveError::Other(err.into()))?;
        SessionKey::try_from(key).map_err(|err| SaveError::Other(err.into()))
    }

    async fn update(
        &self,
        key: SessionKey,
        state: State,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let body =
            serde_json::to_string(&state).map_err(|err| UpdateError::Serialization(err.into()))?;
        let update = session::Entity::update_many()
            .col_expr(session::Column::State, Expr::value(body))
            .col_expr(session::Column::ExpiresAt, Expr::value(expiry(ttl)))
            .filter(session::Column::Key.eq(key.as_ref()))
            .filter(session::Column::ExpiresAt.gt(now_millis()));
        let result = within(REQUEST_DEADLINE, update.exec(&self.db))
            .await
            .map_err(|err| UpdateError::Other(err.into()))?;
        if result.rows_affected == 0 {
            // Deleted or expired meanwhile (a logout in another tab): the
            // state goes under a fresh key rather than resurrecting the old.
            return self.save(state, ttl).await.map_err(|err| match err {
                SaveError::Serialization(err) => UpdateError::Serialization(err),
                SaveError::Other(err) => UpdateError::Other(err),
            });
        }
        Ok(key)
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        let update = session::Entity::update_many()
            .col_expr(session::Column::ExpiresAt, Expr::value(expiry(ttl)))
            .filter(session::Column::Key.eq(key.as_ref()));
        within(REQUEST_DEADLINE, update.exec(&self.db)).await?;
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        let delete = session::Entity::delete_by_id(key.as_ref().to_owned());
        within(REQUEST_DEADLINE, delete.exec(&self.db)).await?;
        Ok(())
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
