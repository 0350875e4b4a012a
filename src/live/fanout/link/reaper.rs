//! Finding dead nodes and cleaning up after them, and leaving the cluster.
//!
//! A node is dead when its lease is gone. Candidates are the nodes in
//! Redis' set and the nodes the `LoggedInUser` rows name (a node that
//! crashed while Redis was away is known only by its rows). Each is reaped
//! in Redis first, by one atomic script that checks the lease again; only
//! when that confirms the node dead are its rows removed, in the
//! background and within a deadline, so a node that renews in between
//! keeps them and the link never waits on the database.

use std::collections::BTreeSet;

use redis::aio::MultiplexedConnection;

use super::{Link, LinkResult, timed};
use crate::{db::now_millis, live::fanout::ghosts};

impl Link {
    /// Reaps every node, registered or named by the rows, whose lease has
    /// run out.
    pub(super) async fn reap_dead(&mut self, conn: &mut MultiplexedConnection) -> LinkResult<()> {
        let mut members = redis::cmd("SMEMBERS");
        members.arg(self.keys.nodes());
        let registered = timed("nodes", members.query_async::<Vec<String>>(conn)).await?;
        let candidates: BTreeSet<String> = registered
            .iter()
            .chain(&self.suspects)
            .filter(|node| **node != self.config.node_id)
            .cloned()
            .collect();
        for node in &candidates {
            let mut exists = redis::cmd("EXISTS");
            exists.arg(self.keys.lease(node));
            if timed("lease", exists.query_async::<bool>(conn)).await? {
                continue;
            }
            let at = now_millis();
            let Some(gone) = timed("reap", self.scripts.reap(conn, node, at)).await? else {
                continue; // renewed in between: alive
            };
            // Judged once; the next scan of the rows names it again if
            // its rows are still there.
            self.suspects.remove(node);
            if registered.contains(node) {
                tracing::warn!(node_id = %node, offline = gone.len(), "node lost its lease; removed it");
            } else {
                tracing::warn!(node_id = %node, "rows of a node without a lease; removing them");
            }
            self.main.spawn(ghosts::clear_reaped(
                self.db.clone(),
                node.clone(),
                gone,
                at,
            ));
        }
        Ok(())
    }

    /// Gives up the lease and takes this node's users offline (where they
    /// have no other node) before the process exits. Does nothing to a
    /// lease another process holds.
    pub(super) async fn leave(&self, conn: &mut MultiplexedConnection) {
        let node = &self.config.node_id;
        let left = match timed("leave", self.config.lease.release(conn)).await {
            Ok(true) => timed("leave", self.scripts.reap(conn, node, now_millis()))
                .await
                .map(drop),
            Ok(false) => {
                tracing::warn!(node_id = %node, "the lease was no longer this process's");
                Ok(())
            }
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
