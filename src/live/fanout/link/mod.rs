//! The link task: one connection to Redis at a time, healed with backoff.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use redis::{AsyncConnectionConfig, Client, Msg, RedisError, aio::MultiplexedConnection};
use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;

mod lease;

use super::{ClusterConfig, Outgoing, bulletin::Bulletin, keys::Keys, scripts::Scripts};
use crate::{
    auth::{SessionId, Username},
    db::now_millis,
    live::{
        change::Change,
        hub::{ClusterNews, ClusterState, Hub, JoinCluster, LinkDown, News},
    },
};

/// How often the lease is renewed and dead nodes looked for.
const TICK: Duration = Duration::from_secs(1);
/// After (re)connecting, wait this long before judging other nodes: they
/// may have lost Redis too and not renewed yet.
const REAP_AFTER_JOIN: Duration = Duration::from_millis(3500);
/// Every Redis operation gives up after this, so nothing hangs.
const TIMEOUT: Duration = Duration::from_secs(1);
/// Reconnection backoff bounds.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);

/// Why the link lost its connection (it reconnects after any of these).
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Redis refused or failed an operation.
    #[error("{what}: {source}")]
    Redis {
        /// Which step.
        what: &'static str,
        /// Redis's error.
        source: RedisError,
    },
    /// Redis did not answer within the link's deadline.
    #[error("{what}: timed out")]
    TimedOut {
        /// Which step.
        what: &'static str,
    },
    /// The subscription to the bulletins ended.
    #[error("the pub/sub connection closed")]
    SubscriptionClosed,
    /// A bulletin could not be encoded.
    #[error("encoding a bulletin: {0}")]
    Encode(#[from] serde_json::Error),
}

type LinkResult<T> = Result<T, LinkError>;

/// The state of the link task.
pub(super) struct Link {
    config: ClusterConfig,
    keys: Keys,
    scripts: Scripts,
    hub: Hub,
    db: DatabaseConnection,
    inbox: mpsc::UnboundedReceiver<Outgoing>,
    epoch: u64,
}

impl Link {
    pub(super) fn new(
        config: ClusterConfig,
        hub: Hub,
        db: DatabaseConnection,
        inbox: mpsc::UnboundedReceiver<Outgoing>,
    ) -> Self {
        let keys = Keys::new(&config.prefix);
        let scripts = Scripts::new(keys.clone(), &config.node_id);
        Self {
            config,
            keys,
            scripts,
            hub,
            db,
            inbox,
            epoch: 0,
        }
    }
}

/// Keeps a connection up until the hub stops the link.
pub(super) async fn run(mut link: Link) {
    let mut delay = BACKOFF_MIN;
    let mut healthy = true;
    loop {
        let started = Instant::now();
        match link.session().await {
            Ok(()) => return,
            Err(err) => {
                if healthy {
                    tracing::error!(
                        error = %err, node_id = %link.config.node_id,
                        "Redis unavailable: serving local users only, reconnecting with backoff"
                    );
                } else {
                    tracing::debug!(error = %err, "Redis still unavailable");
                }
                healthy = false;
                link.hub.tell(LinkDown);
            }
        }
        if started.elapsed() > BACKOFF_MAX * 2 {
            delay = BACKOFF_MIN;
        }
        // Wait, but still honour a stop request.
        let wake = tokio::time::sleep(delay);
        tokio::pin!(wake);
        loop {
            tokio::select! {
                () = &mut wake => break,
                message = link.inbox.recv() => match message {
                    None => return,
                    Some(Outgoing::Stop(reply)) => {
                        let _ = reply.send(());
                        return;
                    }
                    Some(Outgoing::News { .. }) => {} // covered by the sync at reconnection
                },
            }
        }
        delay = (delay * 2).min(BACKOFF_MAX);
    }
}

/// Runs one Redis step within the link's deadline.
async fn timed<T>(
    what: &'static str,
    future: impl Future<Output = Result<T, RedisError>>,
) -> LinkResult<T> {
    match tokio::time::timeout(TIMEOUT, future).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(source)) => Err(LinkError::Redis { what, source }),
        Err(_) => Err(LinkError::TimedOut { what }),
    }
}

impl Link {
    /// One connection's life: join, then serve until it fails or stops.
    async fn session(&mut self) -> LinkResult<()> {
        let client =
            Client::open(self.config.redis_url.as_str()).map_err(|source| LinkError::Redis {
                what: "url",
                source,
            })?;
        let settings = AsyncConnectionConfig::new()
            .set_connection_timeout(TIMEOUT)
            .set_response_timeout(TIMEOUT);
        let mut conn = timed(
            "connect",
            client.get_multiplexed_async_connection_with_config(&settings),
        )
        .await?;
        let mut pubsub = timed("subscribe", client.get_async_pubsub()).await?;
        timed("subscribe", pubsub.subscribe(self.keys.channel())).await?;
        let mut bulletins = pubsub.into_on_message();

        self.renew_lease(&mut conn).await?;
        // From here on the hub forwards its news tagged with this epoch.
        self.epoch += 1;
        let Ok(local) = self.hub.ask(JoinCluster { epoch: self.epoch }).await else {
            return Ok(()); // the hub is gone
        };
        timed("sync", self.scripts.sync(&mut conn, &local, now_millis())).await?;
        let mut last_seq = self.load_state(&mut conn).await?;
        tracing::info!(node_id = %self.config.node_id, users = local.len(), "joined the cluster through Redis");

        let joined = Instant::now();
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                message = bulletins.next() => {
                    let message = message.ok_or(LinkError::SubscriptionClosed)?;
                    self.on_message(&message, &mut last_seq, &mut conn).await?;
                }
                outgoing = self.inbox.recv() => match outgoing {
                    None => return Ok(()),
                    Some(Outgoing::Stop(reply)) => {
                        self.leave(&mut conn).await;
                        let _ = reply.send(());
                        return Ok(());
                    }
                    Some(Outgoing::News { epoch, news }) if epoch == self.epoch => {
                        self.send(news, &mut conn).await?;
                    }
                    Some(Outgoing::News { .. }) => {} // meant for an older connection
                },
                _ = tick.tick() => {
                    self.renew_lease(&mut conn).await?;
                    if joined.elapsed() >= REAP_AFTER_JOIN {
                        self.reap_dead(&mut conn).await?;
                    }
                }
            }
        }
    }

    /// Hands the hub's news to Redis: changes and new accounts through the
    /// scripts (which publish the bulletins), logouts as a plain bulletin.
    async fn send(&mut self, news: News, conn: &mut MultiplexedConnection) -> LinkResult<()> {
        match news {
            News::Changes { changes, at } => {
                timed("announce", self.scripts.changes(conn, &changes, at)).await
            }
            News::UserAdded { user } => {
                timed(
                    "announce",
                    self.scripts.user_added(conn, &user, now_millis()),
                )
                .await
            }
            News::Logout { user, session } => {
                let bulletin = Bulletin::Logout {
                    user: user.to_string(),
                    session: session.as_str().to_owned(),
                    origin: self.config.node_id.clone(),
                };
                self.publish(&bulletin, conn).await
            }
            News::Profile { user, profile } => {
                self.publish(&Bulletin::profile(&user, &profile), conn)
                    .await
            }
        }
    }

    /// Publishes a bulletin that is not part of the ordered state.
    async fn publish(
        &self,
        bulletin: &Bulletin,
        conn: &mut MultiplexedConnection,
    ) -> LinkResult<()> {
        let text = serde_json::to_string(bulletin)?;
        let mut publish = redis::cmd("PUBLISH");
        publish.arg(self.keys.channel()).arg(text);
        timed("publish", publish.query_async::<()>(conn)).await
    }

    async fn on_message(
        &mut self,
        message: &Msg,
        last_seq: &mut u64,
        conn: &mut MultiplexedConnection,
    ) -> LinkResult<()> {
        let Ok(bulletin) = serde_json::from_slice::<Bulletin>(message.get_payload_bytes()) else {
            tracing::warn!("ignoring an unreadable bulletin");
            return Ok(());
        };
        let Some(seq) = bulletin.seq() else {
            if let Some((user, profile)) = bulletin.read_profile() {
                self.tell_news(News::Profile { user, profile });
            }
            if let Bulletin::Logout {
                user,
                session,
                origin,
            } = bulletin
                && origin != self.config.node_id
                && let Ok(user) = Username::parse(&user)
            {
                let session = SessionId::from_string(session);
                self.tell_news(News::Logout { user, session });
            }
            return Ok(());
        };
        if seq <= *last_seq {
            return Ok(()); // already part of the state we loaded
        }
        let gap = seq > *last_seq + 1;
        if gap {
            tracing::warn!(
                expected = *last_seq + 1,
                got = seq,
                "missed bulletins; reloading the cluster state"
            );
            *last_seq = self.load_state(conn).await?;
        }
        match bulletin {
            Bulletin::Presence {
                user, online, at, ..
            } if !gap => {
                if let Ok(user) = Username::parse(&user) {
                    let at = at.unwrap_or_else(now_millis);
                    let changes = vec![Change::to(user, online)];
                    self.tell_news(News::Changes { changes, at });
                }
            }
            Bulletin::UserAdded { user, .. } => {
                if let Ok(user) = Username::parse(&user) {
                    self.tell_news(News::UserAdded { user });
                }
            }
            _ => {}
        }
        *last_seq = (*last_seq).max(seq);
        Ok(())
    }

    fn tell_news(&self, news: News) {
        self.hub.tell(ClusterNews { news });
    }

    /// Reads the cluster's online set, hands it to the hub, and returns its
    /// sequence number.
    async fn load_state(&self, conn: &mut MultiplexedConnection) -> LinkResult<u64> {
        let (seq, online) = timed("state", self.scripts.state(conn)).await?;
        let online = online
            .iter()
            .filter_map(|name| Username::parse(name).ok())
            .collect();
        self.hub.tell(ClusterState { online });
        Ok(seq)
    }
}
