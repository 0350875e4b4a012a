//! The `PresenceHub` actor: the group every socket of this process joins.
//!
//! The hub is the only place that decides who is online here. Sessions
//! tell it when they [`Connect`] and [`Disconnect`]; the login and logout
//! handlers send [`UserLoggedIn`] and [`UserLoggedOut`]; sign-up sends
//! [`UserSignedUp`]. Its bookkeeping lives in a [`Roster`], which reports
//! each transition of the local online set. The hub hands transitions to
//! the [`PresenceStore`] and, once they come back [`Persisted`], announces
//! them (see `announce`): to its own sockets on a single node, or to the
//! cluster through the [`Fanout`] (see `cluster`), whose bulletins come
//! back to every node's hub. [`Shutdown`] ends it all cleanly (see
//! `shutdown`).
//!
//! The hub holds sockets as `Recipient`s, not as `Addr<WsSession>`, so a
//! test can register any actor that handles [`Deliver`] and [`Close`].

mod announce;
mod cluster;
pub mod mailbox;
mod meters;
mod shutdown;

use std::{
    collections::{BTreeSet, HashMap},
    time::{Duration, Instant},
};

use actix::prelude::*;
use sea_orm::DatabaseConnection;

pub use self::cluster::{
    ClusterLogout, ClusterPresence, ClusterState, ClusterUserAdded, JoinCluster, LinkDown,
};
pub use self::shutdown::Shutdown;
pub use crate::live::roster::ConnId;
use crate::{
    auth::{SessionId, Username},
    live::{
        fanout::{ClusterConfig, Fanout},
        protocol::Frame,
        roster::{Change, Member, Roster},
        session::{Close, CloseReason, Deliver},
        store::PresenceStore,
        tcp_cutoff::TcpConnection,
    },
};

/// A socket wants to join. The hub replies with the socket's id and sends
/// the snapshot frame to `deliver` before anything else.
#[derive(Message)]
#[rtype(result = "ConnId")]
pub struct Connect {
    /// The socket's user.
    pub user: Username,
    /// The login the socket was opened under.
    pub session: SessionId,
    /// Where the hub sends frames.
    pub deliver: Recipient<Deliver>,
    /// Where the hub sends a request to close.
    pub close: Recipient<Close>,
    /// The TCP connection, to shut down if the client stops reading (`None`
    /// for stand-in sessions).
    pub connection: Option<TcpConnection>,
}

/// A socket has gone. Sending it twice, or for an unknown id, is harmless.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Disconnect {
    /// The id `Connect` returned.
    pub conn: ConnId,
}

/// A user logged in: they count as connected for the grace period.
#[derive(Message)]
#[rtype(result = "()")]
pub struct UserLoggedIn {
    /// Who.
    pub user: Username,
    /// The new login.
    pub session: SessionId,
}

/// A user logged out of one login: its sockets are closed with 1000, on
/// every node.
#[derive(Message)]
#[rtype(result = "()")]
pub struct UserLoggedOut {
    /// Who.
    pub user: Username,
    /// The login that ended.
    pub session: SessionId,
}

/// A new account exists; every socket is told.
#[derive(Message)]
#[rtype(result = "()")]
pub struct UserSignedUp {
    /// The new user.
    pub user: Username,
}

/// Who the hub has announced as online, sorted: what a new socket's
/// snapshot would say.
#[derive(Message)]
#[rtype(result = "Vec<Username>")]
pub struct OnlineUsers;

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
    deliver: Recipient<Deliver>,
    close: Recipient<Close>,
    connection: Option<TcpConnection>,
}

/// The group of every socket in this process. See the module docs.
pub struct PresenceHub {
    roster: Roster<Socket>,
    next_conn: u64,
    grace: Duration,
    db: DatabaseConnection,
    node_id: String,
    store: Option<PresenceStore>,
    /// Set in cluster mode until the fanout starts.
    cluster: Option<ClusterConfig>,
    fanout: Option<Fanout>,
    /// The epoch of the live Redis connection; `None` while Redis is away
    /// (or on a single node), when changes are announced locally.
    epoch: Option<u64>,
    /// The online set as announced to this node's sockets.
    published: BTreeSet<Username>,
    /// When users announced offline were last seen, most recent ones only.
    last_seen: HashMap<Username, i64>,
    /// The serialized snapshot, until `published` changes.
    snapshot: Option<Frame>,
    /// When each change still to be announced was decided, for the
    /// latency histogram.
    pending: HashMap<(Username, bool), Instant>,
    meters: meters::Meters,
    shutting_down: bool,
}

impl PresenceHub {
    /// A hub whose users stay online for `grace` after their last socket,
    /// mirroring its online set into `db` under `node_id`.
    pub fn new(db: DatabaseConnection, node_id: String, grace: Duration) -> Self {
        let meters = meters::Meters::new(&node_id);
        Self {
            roster: Roster::default(),
            next_conn: 0,
            grace,
            db,
            node_id,
            store: None,
            cluster: None,
            fanout: None,
            epoch: None,
            published: BTreeSet::new(),
            last_seen: HashMap::new(),
            snapshot: None,
            pending: HashMap::new(),
            meters,
            shutting_down: false,
        }
    }

    /// The same hub, sharing presence with the cluster described by `config`.
    pub fn clustered(mut self, config: ClusterConfig) -> Self {
        self.cluster = Some(config);
        self
    }
}

impl Actor for PresenceHub {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // Logins and sockets arrive in bursts; senders wait beyond this.
        ctx.set_mailbox_capacity(1024);
        self.store = Some(PresenceStore::spawn(
            self.db.clone(),
            self.node_id.clone(),
            ctx.address().recipient(),
        ));
        if let Some(config) = self.cluster.take() {
            self.fanout = Some(Fanout::spawn(config, ctx.address(), self.db.clone()));
        }
    }
}

impl Handler<Connect> for PresenceHub {
    type Result = MessageResult<Connect>;

    fn handle(&mut self, msg: Connect, _: &mut Context<Self>) -> Self::Result {
        mailbox::taken();
        self.next_conn += 1;
        let id = ConnId(self.next_conn);
        if self.shutting_down {
            msg.close.do_send(Close {
                reason: CloseReason::ServerShutdown,
            });
            return MessageResult(id);
        }
        // The snapshot goes first, so it precedes every event this socket
        // receives; events published later apply on top of it.
        msg.deliver.do_send(Deliver::one(self.snapshot_frame()));
        let member = Member {
            user: msg.user,
            session: msg.session,
            handle: Socket {
                deliver: msg.deliver,
                close: msg.close,
                connection: msg.connection,
            },
        };
        let change = self.roster.join(id, member);
        self.record(change);
        self.meters
            .open_sockets
            .set(self.roster.socket_count() as f64);
        MessageResult(id)
    }
}

impl Handler<Disconnect> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: Disconnect, ctx: &mut Context<Self>) {
        mailbox::taken();
        let Some(member) = self.roster.leave(msg.conn) else {
            return;
        };
        self.meters
            .open_sockets
            .set(self.roster.socket_count() as f64);
        if !self.roster.has_sockets(&member.user) {
            self.start_grace(member.user, member.session, ctx);
        }
    }
}

impl Handler<UserLoggedIn> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: UserLoggedIn, ctx: &mut Context<Self>) {
        mailbox::taken();
        if !self.shutting_down && !self.roster.has_sockets(&msg.user) {
            self.start_grace(msg.user, msg.session, ctx);
        }
    }
}

impl Handler<UserLoggedOut> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: UserLoggedOut, _: &mut Context<Self>) {
        mailbox::taken();
        if let (Some(fanout), Some(epoch)) = (&self.fanout, self.epoch) {
            fanout.logout(epoch, msg.user.clone(), msg.session.clone());
        }
        self.end_login(&msg.user, &msg.session);
    }
}

impl Handler<UserSignedUp> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: UserSignedUp, _: &mut Context<Self>) {
        mailbox::taken();
        match (&self.fanout, self.epoch) {
            (Some(fanout), Some(epoch)) => fanout.user_added(epoch, msg.user),
            _ => self.announce_user_added(&msg.user),
        }
    }
}

impl Handler<OnlineUsers> for PresenceHub {
    type Result = MessageResult<OnlineUsers>;

    fn handle(&mut self, _: OnlineUsers, _: &mut Context<Self>) -> Self::Result {
        mailbox::taken();
        MessageResult(self.published.iter().cloned().collect())
    }
}

impl Handler<Persisted> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: Persisted, _: &mut Context<Self>) {
        mailbox::taken();
        match (&self.fanout, self.epoch) {
            (Some(fanout), Some(epoch)) => {
                let changes = msg
                    .changes
                    .into_iter()
                    .map(|change| match change {
                        Change::CameOnline(user) => (user, true),
                        Change::WentOffline(user) => (user, false),
                    })
                    .collect();
                fanout.changes(epoch, changes, msg.at);
            }
            _ => self.publish(msg.changes, msg.at),
        }
    }
}
