//! What the link to Redis tells the hub in cluster mode.
//!
//! The link joins the cluster with [`JoinCluster`]: from then on the hub's
//! [`Reach`](super::Reach) forwards its news to Redis instead of
//! announcing it. While Redis is away ([`LinkDown`]) the hub serves its own
//! users alone. What the cluster decides comes back as [`ClusterNews`],
//! announced here as a single node announces its own, and as a full
//! [`ClusterState`] after every (re)connection or missed bulletin.

use actix::prelude::*;

use super::{News, PresenceHub};
use crate::{
    auth::Username,
    db::now_millis,
    live::status::{Attendance, Devices},
};

/// How a user online in the cluster attends, until bulletins say more.
const LOGGED_IN: Attendance = Attendance {
    active: true,
    devices: Devices::NONE,
};

/// The link is connected (again) as `epoch`. The hub starts forwarding its
/// news, rewrites this node's rows, and replies with its local online set
/// for the link to publish.
#[derive(Message)]
#[rtype(result = "Vec<Username>")]
pub struct JoinCluster {
    /// Tags the news meant for this connection.
    pub epoch: u64,
}

/// Redis is unreachable: announce news locally until the next join.
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

/// News the cluster has ordered, from any node (this one included).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ClusterNews {
    /// What happened.
    pub news: News,
}

impl Handler<JoinCluster> for PresenceHub {
    type Result = MessageResult<JoinCluster>;

    fn handle(&mut self, msg: JoinCluster, _: &mut Context<Self>) -> Self::Result {
        self.reach.joined(msg.epoch);
        let local: Vec<(Username, Attendance)> = self
            .roster
            .online()
            .map(|(user, attendance)| (user.clone(), attendance))
            .collect();
        // Another node may have taken this one for dead meanwhile.
        self.store.resync(local.clone());
        MessageResult(local.into_iter().map(|(user, _)| user).collect())
    }
}

impl Handler<LinkDown> for PresenceHub {
    type Result = ();

    fn handle(&mut self, _: LinkDown, _: &mut Context<Self>) {
        self.reach.lost();
    }
}

impl Handler<ClusterState> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: ClusterState, _: &mut Context<Self>) {
        let truth = msg
            .online
            .into_iter()
            .map(|user| {
                let profile = self.announced.profile(&user);
                (user, LOGGED_IN, profile)
            })
            .collect();
        let now = now_millis();
        let frames = self.announced.reconcile(truth, now, now);
        self.meters
            .count_online_users(self.announced.online_count());
        self.deliver(frames);
    }
}

impl Handler<ClusterNews> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: ClusterNews, _: &mut Context<Self>) {
        self.announce(msg.news);
    }
}
