//! A kit for driving the actors directly, without HTTP (cargo feature
//! `testkit`).
//!
//! Integration tests, and readers who learn the design by poking at it,
//! can start a hub on an in-memory SQLite database ([`TestHub`]), register
//! [`StandIn`]s in place of browser tabs, and await the next frame each
//! one receives. A stand-in handles the same messages as a real
//! `WsSession` and its courier (`Batch` and `Close`), so the hub cannot
//! tell them apart. [`TestHub::clustered`] starts a hub in a cluster whose
//! Redis hands its news back only when told to ([`HeldCluster`]).
//!
//! # Example
//!
//! Two tabs of one user; closing one of them goes unnoticed.
//!
//! ```
//! use std::time::Duration;
//!
//! use presence::testkit::TestHub;
//!
//! actix_web::rt::System::new().block_on(async {
//!     let grace = Duration::from_millis(100);
//!     let hub = TestHub::start(grace).await;
//!     let mut observer = hub.connect("obs", "login-1").await;
//!     assert!(observer.snapshot().await.is_empty());
//!     assert_eq!(observer.presence().await, ("obs".to_owned(), true));
//!
//!     let first_tab = hub.connect("ann", "login-2").await;
//!     let _second_tab = hub.connect("ann", "login-2").await;
//!     assert_eq!(observer.presence().await, ("ann".to_owned(), true));
//!
//!     first_tab.disconnect().await;
//!     // Nobody sees ann go offline: her other tab keeps her online.
//!     observer.assert_quiet(grace * 3).await;
//!     assert_eq!(hub.online().await, ["ann", "obs"]);
//! });
//! ```

mod held_cluster;
mod recorder;
mod stand_in;

use std::time::Duration;

use actix::prelude::*;
use sea_orm::DatabaseConnection;

pub use self::{
    held_cluster::HeldCluster,
    recorder::Seen,
    stand_in::{PATIENCE, StandIn},
};
use crate::{
    auth::{SessionId, Username},
    db,
    live::{
        hub::{Hub, HubSettings, PresenceHub, Reach, Stores, UserLoggedIn, UserLoggedOut},
        status::Device,
    },
    users,
};

/// The node id of a test kit's hub.
const NODE_ID: &str = "testkit";

/// Asks the hub whom it has announced as online, sorted: what a new
/// socket's snapshot would say.
#[derive(Message)]
#[rtype(result = "Vec<Username>")]
pub struct OnlineUsers;

impl Handler<OnlineUsers> for PresenceHub {
    type Result = MessageResult<OnlineUsers>;

    fn handle(&mut self, _: OnlineUsers, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.announced_online())
    }
}

/// A single-node hub with its own database.
pub struct TestHub {
    hub: Hub,
    db: DatabaseConnection,
}

impl TestHub {
    /// A hub on a fresh in-memory SQLite database that keeps users online
    /// for `grace` after their last socket.
    ///
    /// # Panics
    /// If SQLite cannot be opened.
    pub async fn start(grace: Duration) -> Self {
        Self::on(fresh_db().await, grace)
    }

    /// A hub on `db`, which must be migrated already.
    pub fn on(db: DatabaseConnection, grace: Duration) -> Self {
        Self::reaching(db, grace, Reach::Local)
    }

    fn reaching(db: DatabaseConnection, grace: Duration, reach: Reach) -> Self {
        let hub = Hub::start_with(|hub| {
            let stores = Stores::spawn(
                &db,
                NODE_ID,
                hub,
                &crate::health::DbHealth::default(),
                &crate::users::AccountMemory::off(),
            );
            PresenceHub::new(stores, reach, HubSettings::with_grace(grace), NODE_ID)
        });
        Self { hub, db }
    }

    /// The hub.
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// Its database.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Creates an account, so that the hub's `LoggedInUser` rows name it.
    ///
    /// # Panics
    /// If the name is invalid or taken.
    pub async fn add_user(&self, name: &str) {
        let user = Username::parse(name).expect("a valid username");
        users::create(&self.db, &user, "not a hash".to_owned())
            .await
            .expect("a new account");
    }

    /// Registers a stand-in tab of `user` under the login `session`.
    pub async fn connect(&self, user: &str, session: &str) -> StandIn {
        StandIn::connect(&self.hub, user, session).await
    }

    /// Tells the hub that `user` logged in as `session`.
    pub async fn log_in(&self, user: &str, session: &str) {
        let (user, session) = names(user, session);
        let row = users::find_by_name(&self.db, user.as_str()).await;
        let profile = row.ok().flatten().map(|row| users::profile_of(&row));
        let profile = profile.unwrap_or_default();
        let sent = self.hub.addr().send(UserLoggedIn {
            user,
            session,
            profile,
            device: Device::Desktop,
        });
        sent.await.expect("the hub is running");
    }

    /// Tells the hub that `user` logged out of `session`.
    pub async fn log_out(&self, user: &str, session: &str) {
        let (user, session) = names(user, session);
        let sent = self.hub.addr().send(UserLoggedOut { user, session });
        sent.await.expect("the hub is running");
    }

    /// The users the hub has announced online, sorted.
    pub async fn online(&self) -> Vec<String> {
        online(&self.hub).await
    }

    /// The names the `LoggedInUser` rows list online (never an invisible
    /// user), in the list's order.
    pub async fn rows(&self) -> Vec<String> {
        rows(&self.db).await
    }
}

/// The users `hub` has announced online, sorted.
///
/// # Panics
/// If the hub has stopped.
pub async fn online(hub: &Hub) -> Vec<String> {
    let online = hub.addr().send(OnlineUsers).await;
    online
        .expect("the hub is running")
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The names the `LoggedInUser` rows in `db` list online (never an
/// invisible user), in the list's order.
///
/// # Panics
/// If the database fails.
pub async fn rows(db: &DatabaseConnection) -> Vec<String> {
    users::directory::online_names(db)
        .await
        .expect("the LoggedInUser rows")
}

/// A fresh, migrated in-memory SQLite database.
async fn fresh_db() -> DatabaseConnection {
    let db = db::connect("sqlite::memory:")
        .await
        .expect("an in-memory SQLite database");
    db::migrate(&db).await.expect("the schema");
    db
}

fn names(user: &str, session: &str) -> (Username, SessionId) {
    let user = Username::parse(user).expect("a valid username");
    (user, SessionId::from_string(session))
}
