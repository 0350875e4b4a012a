//! The node's lease in Redis: renewed every tick while the link is up,
//! given up when the node leaves, and the way every node finds the others
//! that died (`kill -9`) and cleans up after them.

use std::time::Duration;

use redis::aio::MultiplexedConnection;

use super::{Link, LinkResult, timed};
use crate::{db::now_millis, live::store};

/// A node whose lease is older than this is dead.
pub(super) const LEASE: Duration = Duration::from_millis(3000);

impl Link {
    /// Sets this node's lease afresh and registers it among the nodes.
    pub(super) async fn renew_lease(&self, conn: &mut MultiplexedConnection) -> LinkResult<()> {
        let node = &self.config.node_id;
        let mut pipe = redis::pipe();
        pipe.cmd("SET")
            .arg(self.keys.lease(node))
            .arg(node)
            .arg("PX")
            .arg(LEASE.as_millis() as u64)
            .ignore()
            .cmd("SADD")
            .arg(self.keys.nodes())
            .arg(node)
            .ignore();
        timed("lease", pipe.query_async::<()>(conn)).await
    }

    /// Removes every registered node whose lease has run out.
    pub(super) async fn reap_dead(&self, conn: &mut MultiplexedConnection) -> LinkResult<()> {
        let mut members = redis::cmd("SMEMBERS");
        members.arg(self.keys.nodes());
        let nodes = timed("nodes", members.query_async::<Vec<String>>(conn)).await?;
        for node in nodes
            .into_iter()
            .filter(|node| *node != self.config.node_id)
        {
            let mut exists = redis::cmd("EXISTS");
            exists.arg(self.keys.lease(&node));
            if timed("lease", exists.query_async::<bool>(conn)).await? {
                continue;
            }
            // Rows first, so a client that sees the offline bulletin and
            // reloads `/` finds the dead node's users offline there too.
            if let Err(err) = store::clear_node(&self.db, &node).await {
                tracing::warn!(error = %err, node_id = %node, "could not remove a dead node's rows");
            }
            let at = now_millis();
            if let Some(gone) = timed("reap", self.scripts.reap(conn, &node, at)).await? {
                tracing::warn!(node_id = %node, offline = gone.len(), "node lost its lease; removed it");
                if let Err(err) = store::mark_seen(&self.db, &gone, at).await {
                    tracing::warn!(error = %err, "could not record last-seen times");
                }
            }
        }
        Ok(())
    }

    /// Gives up the lease and takes this node's users offline (where they
    /// have no other node) before the process exits.
    pub(super) async fn leave(&self, conn: &mut MultiplexedConnection) {
        let node = &self.config.node_id;
        let mut delete = redis::cmd("DEL");
        delete.arg(self.keys.lease(node));
        let left = match timed("leave", delete.query_async::<()>(conn)).await {
            Ok(()) => timed("leave", self.scripts.reap(conn, node, now_millis()))
                .await
                .map(drop),
            Err(err) => Err(err),
        };
        match left {
            Ok(()) => tracing::info!(node_id = %node, "left the cluster"),
            Err(err) => {
                tracing::warn!(error = %err, "could not leave the cluster cleanly; its lease will expire")
            }
        }
    }
}
