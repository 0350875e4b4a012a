//! [`ProfileStore`]: writes what users choose (do not disturb, invisible,
//! a custom status) to their `users` row, in order, then hands it back to
//! the hub to announce.
//!
//! Like the presence store, it is one writer task: two quick choices from
//! one user land in the order they were made. Each write has a deadline.
//! A write that fails is retried until it lands, the latest choice of each
//! user superseding an older one; the choice is announced at once all the
//! same, so a slow database never holds a status back.

use std::{collections::HashMap, time::Duration};

use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;

use crate::{
    auth::Username,
    live::{
        hub::{Hub, ProfileSaved},
        status::Profile,
    },
    users,
};

/// How long one write may take before it is retried later.
const WRITE_DEADLINE: Duration = Duration::from_secs(1);
/// How long the writer waits between retries of failed writes.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The hub's handle on the profile writer. Cloning it is cheap.
#[derive(Clone)]
pub struct ProfileStore {
    queue: mpsc::UnboundedSender<(Username, Profile)>,
}

impl ProfileStore {
    /// Starts the writer; written choices go back to `hub`.
    pub fn spawn(db: DatabaseConnection, hub: Hub) -> Self {
        let (queue, inbox) = mpsc::unbounded_channel();
        actix::spawn(run(db, hub, inbox));
        Self { queue }
    }

    /// Queues `user`'s new choice for writing.
    pub fn save(&self, user: Username, profile: Profile) {
        let _ = self.queue.send((user, profile));
    }
}

async fn run(
    db: DatabaseConnection,
    hub: Hub,
    mut inbox: mpsc::UnboundedReceiver<(Username, Profile)>,
) {
    // Choices whose write failed, latest per user: bounded by the users
    // who chose something while the database was away.
    let mut unwritten: HashMap<Username, Profile> = HashMap::new();
    loop {
        let next = if unwritten.is_empty() {
            inbox.recv().await
        } else {
            match tokio::time::timeout(RETRY_AFTER, inbox.recv()).await {
                Ok(next) => next,
                Err(_) => {
                    retry(&db, &mut unwritten).await;
                    continue;
                }
            }
        };
        let Some((user, profile)) = next else { break };
        unwritten.remove(&user);
        if !write(&db, &user, &profile).await {
            unwritten.insert(user.clone(), profile.clone());
        }
        hub.tell(ProfileSaved { user, profile });
    }
}

async fn retry(db: &DatabaseConnection, unwritten: &mut HashMap<Username, Profile>) {
    let pending: Vec<(Username, Profile)> = unwritten.drain().collect();
    for (user, profile) in pending {
        if !write(db, &user, &profile).await {
            unwritten.insert(user, profile);
        }
    }
}

/// Writes one choice within the deadline; `false` if it did not land.
async fn write(db: &DatabaseConnection, user: &Username, profile: &Profile) -> bool {
    match tokio::time::timeout(WRITE_DEADLINE, users::save_profile(db, user, profile)).await {
        Ok(Ok(())) => true,
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "could not save a status; retrying");
            false
        }
        Err(_) => {
            tracing::warn!("saving a status timed out; retrying");
            false
        }
    }
}
