//! One shared, lazily (re)connected Redis connection for request-time
//! work: throttling counters and health checks.
//!
//! Every operation is bounded by a short timeout, and a failed connection
//! is dropped so the next call reconnects: Redis being away slows nothing.

use std::{sync::Arc, time::Duration};

use redis::{AsyncConnectionConfig, Client, RedisResult, aio::MultiplexedConnection};
use tokio::sync::Mutex;

/// How long any Redis call made while serving a request may take.
pub const TIMEOUT: Duration = Duration::from_millis(500);

/// A shared Redis connection.
#[derive(Clone)]
pub struct SharedRedis {
    url: String,
    conn: Arc<Mutex<Option<MultiplexedConnection>>>,
}

impl SharedRedis {
    /// A connection to `url`, opened on first use.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            conn: Arc::new(Mutex::new(None)),
        }
    }

    /// The connection, opening it if needed.
    pub async fn get(&self) -> RedisResult<MultiplexedConnection> {
        let mut slot = self.conn.lock().await;
        if let Some(conn) = slot.as_ref() {
            return Ok(conn.clone());
        }
        let settings = AsyncConnectionConfig::new()
            .set_connection_timeout(TIMEOUT)
            .set_response_timeout(TIMEOUT);
        let conn = Client::open(self.url.as_str())?
            .get_multiplexed_async_connection_with_config(&settings)
            .await?;
        *slot = Some(conn.clone());
        Ok(conn)
    }

    /// Forgets the connection after an error, so the next call reconnects.
    pub async fn reset(&self) {
        *self.conn.lock().await = None;
    }

    /// `PING`, bounded.
    pub async fn ping(&self) -> Result<(), String> {
        let attempt = async {
            let mut conn = self.get().await?;
            redis::cmd("PING").query_async::<String>(&mut conn).await
        };
        match tokio::time::timeout(TIMEOUT, attempt).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) => {
                self.reset().await;
                Err(err.to_string())
            }
            Err(_) => {
                self.reset().await;
                Err("timed out".to_owned())
            }
        }
    }
}
