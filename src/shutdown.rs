//! Asking a running server to stop: Ctrl-C, SIGTERM, or a
//! [`ShutdownHandle`] that tests and embedders hold.
//!
//! All three lead to the same clean shutdown in
//! [`crate::startup::Application::run_until_stopped`]: sockets close with
//! 1001, this process's `LoggedInUser` rows go, and the server stops, all
//! within [`BUDGET`].
//!
//! A cluster node drains first: its pages reconnect to other nodes at once,
//! and it keeps its share of the cluster's presence (and its lease) for
//! the [`drain_time`], so a user whose page moved is never announced
//! offline. Then it leaves, and whoever did not come back goes offline.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use actix_web::dev::ServerHandle;
use tokio::sync::Notify;

use crate::live::hub::{Hub, Shutdown};

/// The time a shutdown may take, from the signal to the exit.
pub const BUDGET: Duration = Duration::from_secs(5);
/// What leaving takes at most once draining ends: the rows and Redis.
pub const LEAVE_TIME: Duration = Duration::from_millis(1500);
/// What stopping the HTTP server is left at least.
pub const HTTP_STOP_TIME: Duration = Duration::from_millis(1000);
/// How long the workers have to take the connections accepted just before
/// accepting paused (see [`stop_accepting`]): far more than a worker takes
/// to poll its queue, even on a busy machine.
const SETTLE_TIME: Duration = Duration::from_millis(100);

/// How long a node keeps its presence after closing its sockets: the
/// grace period in a cluster, as far as the budget allows; nothing on a
/// single node, where no other node could take the pages over.
pub fn drain_time(grace: Duration, cluster: bool) -> Duration {
    if !cluster {
        return Duration::ZERO;
    }
    grace.min(BUDGET - LEAVE_TIME - HTTP_STOP_TIME)
}

/// The clean shutdown, once asked for: the hub closes the sockets (1001),
/// drains for `drain`, clears its rows and leaves the cluster; then the
/// HTTP server stops accepting, and stops, with what is left of the
/// [`BUDGET`].
pub(crate) async fn stop_within_budget(hub: &Hub, server: &ServerHandle, drain: Duration) {
    let started = Instant::now();
    tracing::info!(
        drain_ms = drain.as_millis() as u64,
        "shutting down: closing sockets, draining, clearing presence rows"
    );
    if tokio::time::timeout(drain + LEAVE_TIME, hub.ask(Shutdown))
        .await
        .is_err()
    {
        tracing::warn!("the hub did not finish its shutdown in time");
    }
    stop_accepting(server).await;
    let left = BUDGET.saturating_sub(started.elapsed());
    if tokio::time::timeout(left, server.stop(true)).await.is_err() {
        server.stop(false).await;
    }
}

/// Stops taking connections before the HTTP server is stopped.
///
/// actix-server tells its acceptor and its workers to stop at the same
/// moment, and a worker that is stopping drops the connections still
/// queued for it: a client connecting in that instant would be cut off
/// with no answer at all. Paused first, the acceptor hands its last
/// connections to workers that still serve them, and [`SETTLE_TIME`]
/// lets the workers take them; later connections wait in the kernel's
/// queue, for the next process on a socket that outlives this one, or are
/// reset when it closes, which a client or a proxy retries.
async fn stop_accepting(server: &ServerHandle) {
    server.pause().await;
    tokio::time::sleep(SETTLE_TIME).await;
}

/// Asks a running [`Application`](crate::startup::Application) to shut down, as SIGTERM would.
/// It also tells `/healthz` that the node is going, so a load balancer
/// sends no new pages to a node that is draining.
#[derive(Clone, Default)]
pub struct ShutdownHandle {
    asked: Arc<Notify>,
    stopping: Arc<AtomicBool>,
}

impl ShutdownHandle {
    /// Starts the clean shutdown.
    pub fn shutdown(&self) {
        self.asked.notify_one();
    }

    /// Whether the shutdown has begun.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    /// Resolves on Ctrl-C, SIGTERM or [`ShutdownHandle::shutdown`],
    /// whichever comes first.
    pub(crate) async fn requested(&self) {
        #[cfg(unix)]
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = terminate => {}
            () = self.asked.notified() => {}
        }
        self.stopping.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_node_does_not_drain() {
        assert_eq!(drain_time(Duration::from_secs(2), false), Duration::ZERO);
    }

    #[test]
    fn a_cluster_node_drains_for_the_grace_period_within_the_budget() {
        let short = Duration::from_millis(500);
        assert_eq!(drain_time(short, true), short);
        let long = drain_time(Duration::from_secs(30), true);
        assert!(long + LEAVE_TIME + HTTP_STOP_TIME <= BUDGET);
        assert!(long > Duration::ZERO);
    }
}
