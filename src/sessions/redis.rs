//! Sessions in Redis for cluster mode, through actix-session's store.
//!
//! Opening actix-session's `RedisSessionStore` waits for a first
//! connection, and its connection manager has no timeouts of its own: with
//! Redis down, an opening has been seen to block for minutes. So the store
//! is opened in the background, each attempt bounded, and retried until it
//! succeeds; every operation is bounded too. Until then, and whenever Redis
//! does not answer in time, operations fail at once, and the request gets a
//! 503 instead of hanging.

use std::{
    sync::{Arc, RwLock},
    time::Duration as StdDuration,
};

use actix_session::storage::{
    LoadError, RedisSessionStore, SaveError, SessionKey, SessionStore, UpdateError,
};
use actix_web::cookie::time::Duration;

use super::database::State;
use crate::live::fanout::keys::Keys;

/// The longest a session operation (or an opening attempt) may take.
const TIMEOUT: StdDuration = StdDuration::from_secs(2);
/// The pause between opening attempts.
const RETRY_EVERY: StdDuration = StdDuration::from_secs(1);

/// actix-session's Redis store, opened in the background.
#[derive(Clone)]
pub struct RedisSessions {
    store: Arc<RwLock<Option<RedisSessionStore>>>,
}

impl RedisSessions {
    /// Starts opening the store for `url`, with keys under `keys`.
    pub fn open(url: String, keys: Keys) -> Self {
        let sessions = Self {
            store: Arc::new(RwLock::new(None)),
        };
        let slot = sessions.store.clone();
        actix_web::rt::spawn(async move {
            loop {
                let keys = keys.clone();
                let opening = RedisSessionStore::builder(url.clone())
                    .cache_keygen(move |key| keys.session(key))
                    .build();
                match tokio::time::timeout(TIMEOUT, opening).await {
                    Ok(Ok(store)) => {
                        if let Ok(mut slot) = slot.write() {
                            *slot = Some(store);
                        }
                        tracing::info!("session store connected to Redis");
                        return;
                    }
                    Ok(Err(err)) => {
                        tracing::warn!(error = %err, "cannot open the Redis session store yet")
                    }
                    Err(_) => tracing::warn!("opening the Redis session store timed out; retrying"),
                }
                tokio::time::sleep(RETRY_EVERY).await;
            }
        });
        sessions
    }

    /// Whether the store has been opened.
    pub fn is_open(&self) -> bool {
        self.store.read().is_ok_and(|slot| slot.is_some())
    }

    fn current(&self) -> Result<RedisSessionStore, anyhow::Error> {
        self.store
            .read()
            .ok()
            .and_then(|slot| slot.clone())
            .ok_or_else(|| anyhow::anyhow!("the Redis session store is not connected"))
    }
}

/// Runs one store operation within [`TIMEOUT`].
async fn bounded<T, E>(
    operation: impl Future<Output = Result<T, E>>,
    wrap: impl Fn(anyhow::Error) -> E,
) -> Result<T, E> {
    tokio::time::timeout(TIMEOUT, operation)
        .await
        .unwrap_or_else(|_| Err(wrap(anyhow::anyhow!("Redis did not answer in time"))))
}

impl SessionStore for RedisSessions {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let store = self.current().map_err(LoadError::Other)?;
        bounded(store.load(key), LoadError::Other).await
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        let store = self.current().map_err(SaveError::Other)?;
        bounded(store.save(state, ttl), SaveError::Other).await
    }

    async fn update(
        &self,
        key: SessionKey,
        state: State,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let store = self.current().map_err(UpdateError::Other)?;
        bounded(store.update(key, state, ttl), UpdateError::Other).await
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        let store = self.current()?;
        bounded(store.update_ttl(key, ttl), |err| err).await
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        let store = self.current()?;
        bounded(store.delete(key), |err| err).await
    }
}
