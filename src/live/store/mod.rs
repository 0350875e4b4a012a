//! Persistence of the online set as `LoggedInUser` rows.
//!
//! The hub never waits for the database. It hands every [`Change`] to the
//! [`PresenceStore`], a single writer task that applies changes in order,
//! many per transaction when they queue up, and then hands them back to
//! the hub as [`Persisted`] for broadcasting. Writing before broadcasting is
//! what lets a client that has just seen an event load `/` and find the
//! same state.
//!
//! If the database fails or stalls, the changes go back to the hub all the
//! same, after at most a short hold (live presence must not stall on the
//! mirror), while the writer keeps the latest state of each affected user
//! and retries until the rows are right again: see [`writer`], which the
//! profile writer shares.

use std::collections::BTreeMap;

use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;

pub use self::rows::{clear_all, clear_node, mark_seen};
use self::{
    behind::Job,
    rows::{Ids, replace_node, write},
    writer::{Call, Input, Target},
};

pub mod behind;
mod rows;
pub mod writer;

pub use self::writer::Reports;

use crate::{
    auth::Username,
    db::now_millis,
    live::{
        change::Change,
        hub::{Hub, Persisted},
        status::Attendance,
    },
};

/// The handle of the writer task. Cloning it is cheap.
#[derive(Clone)]
pub struct PresenceStore {
    commands: mpsc::UnboundedSender<Input<Rows>>,
}

/// The `LoggedInUser` rows of one node, as a writer's target.
struct Rows {
    db: DatabaseConnection,
    ids: Ids,
    node_id: String,
    hub: Hub,
}

impl Target for Rows {
    type Key = Username;
    /// `None` for offline.
    type Value = Option<Attendance>;
    type News = Change;
    const NAME: &'static str = "presence";

    fn write(&self, job: Job<Username, Option<Attendance>>) -> Call {
        let db = self.db.clone();
        let ids = self.ids.clone();
        let node_id = self.node_id.clone();
        Box::pin(async move {
            let at = now_millis();
            if job.replace {
                let online: Vec<(Username, Attendance)> = job
                    .states
                    .iter()
                    .filter_map(|(user, state)| Some((user.clone(), (*state)?)))
                    .collect();
                replace_node(&db, &ids, &node_id, &online, at).await?;
            }
            write(&db, &ids, &node_id, &job.states, at).await
        })
    }

    fn release(&self, changes: Vec<Change>) {
        if !changes.is_empty() {
            self.hub.tell(Persisted {
                changes,
                at: now_millis(),
            });
        }
    }

    fn finish(&self) -> Call {
        let db = self.db.clone();
        let node_id = self.node_id.clone();
        Box::pin(async move { clear_node(&db, &node_id).await.map(drop) })
    }
}

impl PresenceStore {
    /// Starts the writer for `node_id`'s rows. Written changes go back to
    /// `hub`; failures show in `reports`.
    pub fn spawn(db: DatabaseConnection, node_id: String, hub: Hub, reports: Reports) -> Self {
        let rows = Rows {
            db,
            ids: Ids::new(),
            node_id,
            hub,
        };
        let commands = writer::spawn(rows, reports);
        Self { commands }
    }

    /// Queues changes for writing. If the writer is gone, the changes come
    /// back so the caller can still announce them.
    pub fn record(&self, changes: Vec<Change>) -> Result<(), Vec<Change>> {
        let states = changes
            .iter()
            .map(|change| (change.user.clone(), change.attendance))
            .collect();
        self.commands
            .send(Input::Record(states, changes))
            .map_err(|err| match err.0 {
                Input::Record(_, changes) => changes,
                _ => Vec::new(),
            })
    }

    /// Replaces this node's rows with exactly `users`, after changes queued
    /// before. Used when the node rejoins a cluster, in case another node
    /// took it for dead and removed its rows.
    pub fn resync(&self, users: Vec<(Username, Attendance)>) {
        let states: BTreeMap<_, _> = users.into_iter().map(|(u, a)| (u, Some(a))).collect();
        let _ = self.commands.send(Input::Replace(states));
    }

    /// Writes what is queued, then removes every row of this node, and
    /// stops the writer. Used at shutdown.
    pub async fn stop(&self) {
        writer::stop(&self.commands).await;
    }
}
