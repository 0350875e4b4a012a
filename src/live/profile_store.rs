//! [`ProfileStore`]: writes what users choose (do not disturb, invisible,
//! a custom status) to their `users` row, in order, then hands it back to
//! the hub to announce.
//!
//! Like the presence store, it is one writer task (the same
//! [`writer`](crate::live::store::writer), with its deadline, hold and
//! retries): two quick choices from one user land in the order they were
//! made, the latest superseding an older one still unwritten. A write that
//! fails is retried until it lands; the choice is announced all the same,
//! so a slow database never holds a status back for long.

use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;

use crate::{
    auth::Username,
    live::{
        hub::{Hub, ProfileSaved},
        status::Profile,
        store::{
            Reports,
            behind::Job,
            writer::{self, Call, Input, Target},
        },
    },
    users::{self, AccountMemory},
};

/// The hub's handle on the profile writer. Cloning it is cheap.
#[derive(Clone)]
pub struct ProfileStore {
    queue: mpsc::UnboundedSender<Input<Profiles>>,
}

/// The users' chosen profiles, as a writer's target.
struct Profiles {
    db: DatabaseConnection,
    hub: Hub,
    /// Kept in step with every write (see [`AccountMemory`]).
    memory: AccountMemory,
}

impl Target for Profiles {
    type Key = Username;
    type Value = Profile;
    type News = (Username, Profile);
    const NAME: &'static str = "profiles";

    fn write(&self, job: Job<Username, Profile>) -> Call {
        let (db, memory) = (self.db.clone(), self.memory.clone());
        Box::pin(async move {
            for (user, profile) in &job.states {
                memory.saving(user);
                users::save_profile(&db, user, profile).await?;
                memory.saved(user, profile.clone());
            }
            Ok(())
        })
    }

    fn release(&self, saved: Vec<(Username, Profile)>) {
        for (user, profile) in saved {
            self.hub.tell(ProfileSaved { user, profile });
        }
    }
}

impl ProfileStore {
    /// Starts the writer; written choices go back to `hub`, and into
    /// `memory`.
    pub fn spawn(
        db: DatabaseConnection,
        hub: Hub,
        memory: AccountMemory,
        reports: Reports,
    ) -> Self {
        let queue = writer::spawn(Profiles { db, hub, memory }, reports);
        Self { queue }
    }

    /// Queues `user`'s new choice for writing.
    pub fn save(&self, user: Username, profile: Profile) {
        let news = vec![(user.clone(), profile.clone())];
        let _ = self.queue.send(Input::Record(vec![(user, profile)], news));
    }

    /// Writes the choices still waiting (within the write deadline) and
    /// stops the writer. Used at shutdown, so no choice made just before
    /// it is lost.
    pub async fn stop(&self) {
        writer::stop(&self.queue).await;
    }
}
