//! The link task: one connection to Redis at a time, healed with backoff.
//!
//! - here: the connection's life, joining (and joining again when the
//!   lease lapsed), and the loop that serves the hub and the channel;
//! - `inbound`: bulletins from the channel, and the cluster state;
//! - `outbound`: the hub's news, as scripts and bulletins;
//! - `reaper`: finding dead nodes, and leaving the cluster.

use std::{
    collections::BTreeSet,
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use redis::{AsyncConnectionConfig, Client, RedisError, aio::MultiplexedConnection};
use sea_orm::DatabaseConnection;
use tokio::{runtime::Handle, sync::mpsc};

mod inbound;
mod outbound;
mod reaper;

use super::{ClusterConfig, Outgoing, keys::Keys, lease::Renewal, scripts::Scripts, share::Share};
use crate::{
    db::now_millis,
    live::hub::{Hub, JoinCluster, LinkDown},
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
    /// Another process renews this node id's lease: this one must not
    /// publish anything under it.
    #[error("another process holds this NODE_ID's lease")]
    NodeIdTaken,
}

type LinkResult<T> = Result<T, LinkError>;

/// The state of the link task.
pub(super) struct Link {
    config: ClusterConfig,
    keys: Keys,
    scripts: Scripts,
    hub: Hub,
    db: DatabaseConnection,
    /// The main runtime, where database work runs.
    main: Handle,
    inbox: mpsc::UnboundedReceiver<Outgoing>,
    epoch: u64,
    /// The latest sequence number seen on the channel or in the state.
    last_seq: u64,
    /// When this connection last joined: others are judged only later.
    joined: Instant,
    /// Node ids named by the rows, judged with Redis' set of nodes.
    suspects: BTreeSet<String>,
    /// Shutting down: a join keeps this node's users as Redis has them.
    draining: bool,
}

impl Link {
    pub(super) fn new(
        config: ClusterConfig,
        hub: Hub,
        db: DatabaseConnection,
        main: Handle,
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
            main,
            inbox,
            epoch: 0,
            last_seq: 0,
            joined: Instant::now(),
            suspects: BTreeSet::new(),
            draining: false,
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
                    Some(Outgoing::Suspects(nodes)) => link.suspects = nodes.into_iter().collect(),
                    Some(Outgoing::Drain) => link.draining = true,
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
        if !self.join(&mut conn).await? {
            return Ok(()); // the hub is gone
        }
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                message = bulletins.next() => {
                    let message = message.ok_or(LinkError::SubscriptionClosed)?;
                    self.on_message(&message, &mut conn).await?;
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
                    Some(Outgoing::Suspects(nodes)) => self.suspects = nodes.into_iter().collect(),
                    Some(Outgoing::Drain) => self.draining = true,
                },
                _ = tick.tick() => {
                    if self.renew_lease(&mut conn).await? == Renewal::Acquired {
                        // Frozen past the lease: the others may have reaped
                        // this node. Publish its users again.
                        tracing::warn!(
                            node_id = %self.config.node_id,
                            "this node's lease had lapsed; joining the cluster again"
                        );
                        if !self.join(&mut conn).await? {
                            return Ok(());
                        }
                    }
                    if self.joined.elapsed() >= REAP_AFTER_JOIN {
                        self.reap_dead(&mut conn).await?;
                    }
                }
            }
        }
    }

    /// Renews the lease; an error if another process holds it.
    async fn renew_lease(&self, conn: &mut MultiplexedConnection) -> LinkResult<Renewal> {
        match timed("lease", self.config.lease.renew(conn)).await? {
            Renewal::Taken => Err(LinkError::NodeIdTaken),
            renewal => Ok(renewal),
        }
    }

    /// Joins as a new epoch: the hub hands over its users (and rewrites its
    /// rows), the link publishes them and loads the cluster's state.
    /// `false` if the hub is gone.
    async fn join(&mut self, conn: &mut MultiplexedConnection) -> LinkResult<bool> {
        if self.draining {
            // The hub has closed its sockets; what Redis holds of this node
            // stays until it leaves.
            self.last_seq = self.load_state(conn).await?;
            self.joined = Instant::now();
            return Ok(true);
        }
        // From here on the hub forwards its news tagged with this epoch.
        self.epoch += 1;
        let Ok(local) = self.hub.ask(JoinCluster { epoch: self.epoch }).await else {
            return Ok(false);
        };
        let shares = local
            .iter()
            .map(|(user, attendance, profile)| Share::new(user.clone(), *attendance, profile))
            .collect::<Result<Vec<_>, _>>()?;
        timed("sync", self.scripts.sync(conn, &shares, now_millis())).await?;
        self.last_seq = self.load_state(conn).await?;
        self.joined = Instant::now();
        tracing::info!(node_id = %self.config.node_id, users = local.len(), "joined the cluster through Redis");
        Ok(true)
    }
}
