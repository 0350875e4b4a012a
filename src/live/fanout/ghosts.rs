//! Dead nodes' `LoggedInUser` rows, as the reaper sees them.
//!
//! Redis' set of nodes is not the only place a dead node shows: a node that
//! crashed while Redis was away, with Redis back empty, is known only by
//! its rows. So the reaper also asks the rows which nodes they name, and
//! judges each by its lease. Removing a dead node's rows happens only after
//! the atomic reap in Redis, and only rows written before it: a node that
//! was frozen, reaped and came back rewrites its rows after the reap, and
//! those stay.

use std::time::Duration;

use entity::logged_in_user;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::mpsc;

use super::Outgoing;
use crate::live::store;

/// How often the rows are searched for nodes.
pub const SCAN_EVERY: Duration = Duration::from_secs(5);
/// Every query here gives up after this: the reaper never hangs on the
/// database.
pub const DEADLINE: Duration = Duration::from_secs(3);
/// At most this many node ids are taken from the rows per scan.
const MAX_NODES: u64 = 1000;

/// The distinct node ids the rows name.
pub async fn row_nodes(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    logged_in_user::Entity::find()
        .select_only()
        .column(logged_in_user::Column::NodeId)
        .distinct()
        .limit(MAX_NODES)
        .into_tuple::<String>()
        .all(db)
        .await
}

/// Removes `node`'s rows written at or before `at` (Unix ms).
pub async fn clear_rows_until(db: &DatabaseConnection, node: &str, at: i64) -> Result<u64, DbErr> {
    let result = logged_in_user::Entity::delete_many()
        .filter(logged_in_user::Column::NodeId.eq(node))
        .filter(logged_in_user::Column::Since.lte(at))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// After `node` was reaped at `at`: removes its rows and records when its
/// users (`gone`) were last seen, within [`DEADLINE`]. The link spawns it
/// on the main runtime, so it never waits on the database itself.
pub(super) async fn clear_reaped(db: DatabaseConnection, node: String, gone: Vec<String>, at: i64) {
    match tokio::time::timeout(DEADLINE, clear_rows_until(&db, &node, at)).await {
        Ok(Ok(rows)) if rows > 0 => {
            tracing::info!(node_id = %node, rows, "removed a dead node's rows")
        }
        Ok(Ok(_)) => {}
        Ok(Err(err)) => {
            tracing::warn!(error = %err, node_id = %node, "could not remove a dead node's rows")
        }
        Err(_) => tracing::warn!(node_id = %node, "removing a dead node's rows timed out"),
    }
    if !gone.is_empty()
        && let Ok(Err(err)) = tokio::time::timeout(DEADLINE, store::mark_seen(&db, &gone, at)).await
    {
        tracing::warn!(error = %err, "could not record last-seen times");
    }
}

/// Every [`SCAN_EVERY`], hands the link the node ids the rows name, until
/// the link is gone.
pub(super) async fn scan(db: DatabaseConnection, link: mpsc::UnboundedSender<Outgoing>) {
    let mut every = tokio::time::interval(SCAN_EVERY);
    loop {
        every.tick().await;
        let nodes = match tokio::time::timeout(DEADLINE, row_nodes(&db)).await {
            Ok(Ok(nodes)) => nodes,
            Ok(Err(err)) => {
                tracing::debug!(error = %err, "could not list the rows' nodes");
                continue;
            }
            Err(_) => continue,
        };
        if link.send(Outgoing::Suspects(nodes)).is_err() {
            return;
        }
    }
}
