//! The two writers the hub hands its changes to, started together by
//! `startup` so the hub never creates its own dependencies.

use crate::live::{hub::Hub, profile_store::ProfileStore, store::PresenceStore};

/// The writers the hub hands its changes to.
pub struct Stores {
    /// The `LoggedInUser` rows.
    pub presence: PresenceStore,
    /// What users choose, on their `users` rows.
    pub profiles: ProfileStore,
}

impl Stores {
    /// Starts both writers on `db` for node `node_id`, reporting to `hub`;
    /// their failures show in `health`, and profiles written go into
    /// `accounts`.
    pub fn spawn(
        db: &sea_orm::DatabaseConnection,
        node_id: &str,
        hub: &Hub,
        health: &crate::health::DbHealth,
        accounts: &crate::users::AccountMemory,
    ) -> Self {
        let reports = crate::live::store::Reports {
            node: node_id.to_owned(),
            health: health.clone(),
        };
        Self {
            presence: PresenceStore::spawn(
                db.clone(),
                node_id.to_owned(),
                hub.clone(),
                reports.clone(),
            ),
            profiles: ProfileStore::spawn(db.clone(), hub.clone(), accounts.clone(), reports),
        }
    }
}
