//! The messages the fanout's link sends the hub in cluster mode.
//!
//! The link joins the cluster with [`JoinCluster`]: from then on the hub
//! forwards its changes to Redis instead of announcing them itself. While
//! Redis is away ([`LinkDown`]) the hub serves its own users alone. What
//! the cluster decides comes back as [`ClusterPresence`],
//! [`ClusterUserAdded`] and [`ClusterLogout`], and a full
//! [`ClusterState`] after every (re)connection or missed bulletin.

use std::collections::BTreeSet;

use actix::prelude::*;

use super::{PresenceHub, mailbox};
use crate::{
    auth::{SessionId, Username},
    db::now_millis,
};

/// The link is connected (again) as `epoch`. The hub starts forwarding its
/// changes, rewrites this node's rows, and replies with its local online
/// set for the link to publish.
#[derive(Message)]
#[rtype(result = "Vec<Username>")]
pub struct JoinCluster {
    /// Tags the changes meant for this connection.
    pub epoch: u64,
}

/// Redis is unreachable: announce changes locally until the next join.
#[derive(Message)]
#[rtype(result = "()")]
pub struct LinkDown;

/// The cluster's online set; the hub announces whatever its sockets were
/// told differently.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ClusterState {
    /// Every user online on some node.
    pub online: Vec<Username>,
}

/// A cluster-wide change of one user's status.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ClusterPresence {
    /// Whose.
    pub user: Username,
    /// The new status.
    pub online: bool,
    /// When they went offline (Unix ms).
    pub at: Option<i64>,
}

/// A new account, announced by any node.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ClusterUserAdded {
    /// The new user.
    pub user: Username,
}

/// A login ended on another node: close its sockets here too.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ClusterLogout {
    /// Whose login.
    pub user: Username,
    /// Which login.
    pub session: SessionId,
}

impl Handler<JoinCluster> for PresenceHub {
    type Result = MessageResult<JoinCluster>;

    fn handle(&mut self, msg: JoinCluster, _: &mut Context<Self>) -> Self::Result {
        mailbox::taken();
        self.epoch = Some(msg.epoch);
        let local: Vec<Username> = self.roster.online().cloned().collect();
        if let Some(store) = &self.store {
            // Another node may have taken this one for dead meanwhile.
            store.resync(local.clone());
        }
        MessageResult(local)
    }
}

impl Handler<LinkDown> for PresenceHub {
    type Result = ();

    fn handle(&mut self, _: LinkDown, _: &mut Context<Self>) {
        mailbox::taken();
        self.epoch = None;
    }
}

impl Handler<ClusterState> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: ClusterState, _: &mut Context<Self>) {
        mailbox::taken();
        let truth: BTreeSet<Username> = msg.online.into_iter().collect();
        let gone: Vec<Username> = self.published.difference(&truth).cloned().collect();
        let came: Vec<Username> = truth.difference(&self.published).cloned().collect();
        let at = now_millis();
        let mut frames: Vec<_> = gone
            .into_iter()
            .filter_map(|user| self.apply(user, false, Some(at)))
            .collect();
        frames.extend(
            came.into_iter()
                .filter_map(|user| self.apply(user, true, None)),
        );
        self.broadcast(frames);
    }
}

impl Handler<ClusterPresence> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: ClusterPresence, _: &mut Context<Self>) {
        mailbox::taken();
        self.publish_one(msg.user, msg.online, msg.at);
    }
}

impl Handler<ClusterUserAdded> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: ClusterUserAdded, _: &mut Context<Self>) {
        mailbox::taken();
        self.announce_user_added(&msg.user);
    }
}

impl Handler<ClusterLogout> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: ClusterLogout, _: &mut Context<Self>) {
        mailbox::taken();
        self.end_login(&msg.user, &msg.session);
    }
}
