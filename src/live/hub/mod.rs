//! The `PresenceHub` actor: the group every socket of this process joins.
//!
//! The hub is the only place that decides who is online. Follow one change
//! through its files:
//!
//! 1. Here, sessions [`Connect`] and [`Disconnect`], and the login and
//!    logout handlers send [`UserLoggedIn`] and [`UserLoggedOut`]. The
//!    hub's [`Roster`] says whether that changed anyone's status.
//! 2. In `grace`, a user whose last socket closed is held online for the
//!    grace period, so a reload does not flap them; one who just logged
//!    in, for the longer login hold, while their page loads.
//! 3. In `announce`, each [`Change`] goes to the [`PresenceStore`], which
//!    writes the `LoggedInUser` rows and hands it back as [`Persisted`].
//!    The [`Reach`] then sends it to the cluster, or gives it back to be
//!    announced here. Announcing turns it into a frame if it is news to
//!    the sockets ([`Announced`]).
//! 4. In `delivery`, that one frame goes to every socket on the full feed,
//!    through the courier of each HTTP worker, and to the sockets that
//!    watch its user.
//!
//! In `watch`, sockets say which users they watch ([`Watch`]) and get the
//! counts once a second.
//!
//! In a cluster, `cluster` handles what the link to Redis reports, and
//! `shutdown` ends it all cleanly.
//!
//! The hub holds sockets as `Recipient`s, not as `Addr<WsSession>`, so a
//! test can register any actor that handles [`Batch`](crate::live::courier::Batch)
//! and [`Close`].
//! Production code reaches the hub through its [`Hub`] handle.

mod accounts;
mod announce;
mod cluster;
mod couriers;
mod delivery;
mod grace;
mod handle;
mod meters;
mod reach;
mod shutdown;
mod sockets;
mod status;
mod stores;
mod watch;

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use actix::prelude::*;

#[cfg(feature = "testkit")]
pub use self::cluster::InCluster;
pub use self::{
    accounts::{UserLoggedIn, UserLoggedOut, UserSignedUp},
    cluster::{ClusterNews, ClusterState, JoinCluster, LinkDown},
    delivery::Stalled,
    handle::{Counted, Hub, Relay},
    reach::{News, Reach},
    shutdown::Shutdown,
    sockets::{Connect, Disconnect},
    status::{ChangeProfile, Choice, ProfileSaved, SetActivity},
    stores::Stores,
    watch::Watch,
};
pub use crate::live::roster::ConnId;
use crate::{
    auth::Username,
    live::{
        announced::Announced, change::Change, counts::CountsGate, courier::Route,
        ended_logins::EndedLogins, profile_store::ProfileStore, progress::Progress, roster::Roster,
        session::Close, status::Profile, store::PresenceStore, tcp_cutoff::TcpConnection,
        watchers::Watchers,
    },
};

/// Changes the store has written, ready to announce.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Persisted {
    /// In the order the hub decided them.
    pub changes: Vec<Change>,
    /// When they were written (Unix ms): the `last_seen_at` of users who
    /// went offline.
    pub at: i64,
}

/// How the hub reaches one socket.
pub struct Socket {
    route: Route,
    close: Recipient<Close>,
    connection: Option<TcpConnection>,
    progress: Option<Progress>,
}

/// The hub's timings.
#[derive(Clone, Copy, Debug)]
pub struct HubSettings {
    /// How long a user stays online after their last socket.
    pub grace: Duration,
    /// How long a login keeps its user online before any socket.
    pub login_hold: Duration,
    /// How long a socket's output may make no progress before it is cut.
    pub stall_timeout: Duration,
}

impl HubSettings {
    /// `grace` after the last socket and after a login, and the default
    /// stall timeout.
    pub fn with_grace(grace: Duration) -> Self {
        Self {
            grace,
            login_hold: grace,
            stall_timeout: crate::config::SocketLimits::default().stall_timeout(),
        }
    }
}

/// The group of every socket in this process. See the module docs.
pub struct PresenceHub {
    /// Who is connected here, and who is held online.
    roster: Roster<Socket>,
    /// What this node's sockets have been told.
    announced: Announced,
    /// Writes changes to the `LoggedInUser` rows before they are announced.
    store: PresenceStore,
    /// Writes what users choose to their rows.
    profile_store: ProfileStore,
    /// Choices made here not yet announced back (see `status`).
    chosen: HashMap<Username, Profile>,
    /// This node alone, or the cluster.
    reach: Reach,
    /// The couriers the sockets are reached through.
    couriers: couriers::Couriers,
    /// Which sockets watch which users; the others take the full feed.
    watchers: Watchers,
    /// The counts the watching sockets were sent last.
    counts_sent: CountsGate,
    /// Logins that ended lately: their sockets may not join.
    ended: EndedLogins,
    settings: HubSettings,
    /// The hub's own mailbox, for sockets found dead while delivering.
    myself: Option<Recipient<Disconnect>>,
    next_conn: u64,
    meters: meters::Meters,
    /// Cleared at shutdown: later sockets and logins are turned away.
    serving: bool,
}

impl PresenceHub {
    /// A hub of node `node_id` that writes through `stores`, reaches as
    /// far as `reach`, and keeps time as `settings` say.
    pub fn new(stores: Stores, reach: Reach, settings: HubSettings, node_id: &str) -> Self {
        Self {
            roster: Roster::default(),
            announced: Announced::default(),
            store: stores.presence,
            profile_store: stores.profiles,
            chosen: HashMap::new(),
            reach,
            couriers: couriers::Couriers::default(),
            watchers: Watchers::default(),
            counts_sent: CountsGate::default(),
            ended: EndedLogins::default(),
            settings,
            myself: None,
            next_conn: 0,
            meters: meters::Meters::new(node_id),
            serving: true,
        }
    }

    /// The users announced online, sorted (for the test kit).
    #[cfg(feature = "testkit")]
    pub(crate) fn announced_online(&self) -> Vec<Username> {
        self.announced.online().cloned().collect()
    }
}

impl Actor for PresenceHub {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // Logins and sockets arrive in bursts; senders wait beyond this.
        ctx.set_mailbox_capacity(1024);
        self.myself = Some(ctx.address().recipient());
        // A fifth of the timeout: a stalled socket goes within 1.2 of it.
        let every = self.settings.stall_timeout / 5;
        ctx.run_interval(every, |hub, _| hub.cut_stalled(Instant::now()));
        ctx.run_interval(status::EXPIRY_CHECK, |hub, _| hub.expire_custom_statuses());
        ctx.run_interval(watch::COUNTS_TICK, |hub, _| hub.send_counts());
    }
}

impl Handler<Persisted> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: Persisted, _: &mut Context<Self>) {
        self.spread(News::Changes {
            changes: msg.changes,
            at: msg.at,
        });
    }
}
