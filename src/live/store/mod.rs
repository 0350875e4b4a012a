//! Persistence of the online set as `LoggedInUser` rows.
//!
//! The hub never waits for the database. It hands every [`Change`] to the
//! [`PresenceStore`], a single writer task that applies changes in order,
//! many per transaction when they queue up, and then hands them back to the
//! hub as [`Persisted`] for broadcasting. Writing before broadcasting is
//! what lets a client that has just seen an event load `/` and find the
//! same state.
//!
//! If the database fails, the writer still hands the changes back (live
//! presence must not stall on the mirror), keeps the latest state of each
//! affected user, and retries until the rows are right again.

use std::{collections::BTreeMap, time::Duration};

use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};

pub use self::rows::{clear_all, clear_node, mark_seen};
use self::rows::{replace_node, write};

mod rows;

use crate::{
    auth::Username,
    db::now_millis,
    live::{
        change::Change,
        hub::{Hub, Persisted},
        status::Attendance,
    },
};

/// How long the writer waits before retrying after a database error.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// At most this many changes per transaction.
const MAX_BATCH: usize = 4096;

enum Command {
    Record(Vec<Change>),
    Resync(Vec<(Username, Attendance)>),
    Stop(oneshot::Sender<()>),
}

/// The handle of the writer task. Cloning it is cheap.
#[derive(Clone)]
pub struct PresenceStore {
    commands: mpsc::UnboundedSender<Command>,
}

impl PresenceStore {
    /// Starts the writer for `node_id`'s rows. Written changes go back to
    /// `hub`.
    pub fn spawn(db: DatabaseConnection, node_id: String, hub: Hub) -> Self {
        let (commands, inbox) = mpsc::unbounded_channel();
        actix::spawn(run(db, node_id, inbox, hub));
        Self { commands }
    }

    /// Queues changes for writing. If the writer is gone, the changes come
    /// back so the caller can still announce them.
    pub fn record(&self, changes: Vec<Change>) -> Result<(), Vec<Change>> {
        self.commands
            .send(Command::Record(changes))
            .map_err(|err| match err.0 {
                Command::Record(changes) => changes,
                _ => Vec::new(),
            })
    }

    /// Replaces this node's rows with exactly `users`, after changes queued
    /// before. Used when the node rejoins a cluster, in case another node
    /// took it for dead and removed its rows.
    pub fn resync(&self, users: Vec<(Username, Attendance)>) {
        let _ = self.commands.send(Command::Resync(users));
    }

    /// Writes what is queued, then removes every row of this node, and
    /// stops the writer. Used at shutdown.
    pub async fn stop(&self) {
        let (reply, done) = oneshot::channel();
        if self.commands.send(Command::Stop(reply)).is_ok() {
            let _ = done.await;
        }
    }
}

async fn run(
    db: DatabaseConnection,
    node_id: String,
    mut inbox: mpsc::UnboundedReceiver<Command>,
    hub: Hub,
) {
    // The latest unwritten state of each user: `None` for offline.
    let mut backlog: BTreeMap<Username, Option<Attendance>> = BTreeMap::new();
    loop {
        let first = if backlog.is_empty() {
            inbox.recv().await
        } else {
            match tokio::time::timeout(RETRY_AFTER, inbox.recv()).await {
                Ok(command) => command,
                Err(_elapsed) => Some(Command::Record(Vec::new())),
            }
        };
        let Some(first) = first else { break };

        let mut batch = Vec::new();
        let mut stop = None;
        let mut resync = None;
        let mut next = Some(first);
        while let Some(command) = next.take() {
            match command {
                Command::Record(changes) => {
                    for change in &changes {
                        backlog.insert(change.user.clone(), change.attendance);
                    }
                    batch.extend(changes);
                }
                Command::Resync(users) => {
                    // Supersedes every earlier unwritten change.
                    backlog.clear();
                    resync = Some(users);
                }
                Command::Stop(reply) => {
                    stop = Some(reply);
                    break;
                }
            }
            if batch.len() < MAX_BATCH {
                next = inbox.try_recv().ok();
            }
        }

        let at = now_millis();
        if let Some(users) = resync
            && let Err(err) = replace_node(&db, &node_id, &users, at).await
        {
            tracing::warn!(error = %err, "could not rewrite this node's LoggedInUser rows");
        }
        if !backlog.is_empty() {
            match write(&db, &node_id, &backlog, at).await {
                Ok(()) => backlog.clear(),
                Err(err) => tracing::warn!(
                    error = %err, pending = backlog.len(),
                    "could not write LoggedInUser rows; retrying"
                ),
            }
        }
        if !batch.is_empty() {
            hub.tell(Persisted { changes: batch, at });
        }
        if let Some(reply) = stop {
            if let Err(err) = clear_node(&db, &node_id).await {
                tracing::error!(error = %err, "could not remove this node's LoggedInUser rows");
            }
            let _ = reply.send(());
            break;
        }
    }
}
