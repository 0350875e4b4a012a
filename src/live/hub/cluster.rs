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
    live::status::{Attendance, Profile},
};

/// The link is connected (again) as `epoch`. The hub starts forwarding its
/// news, rewrites this node's rows, and replies with its local online set,
/// with how each attends here and what they chose, for the link to
/// publish: Redis may have lost the profiles with the attendance.
#[derive(Message)]
#[rtype(result = "Vec<(Username, Attendance, Profile)>")]
pub struct JoinCluster {
    /// Tags the news meant for this connection.
    pub epoch: u64,
}

/// Redis is unreachable: announce news locally until the next join.
#[derive(Message)]
#[rtype(result = "()")]
pub struct LinkDown;

/// The cluster's state; the hub announces whatever its sockets were told
/// differently.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ClusterState {
    /// Every user online on some node, attending as they do across nodes.
    pub online: Vec<(Username, Attendance)>,
    /// What the users online chose, as far as Redis keeps it.
    pub profiles: Vec<(Username, Profile)>,
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
        let shares = local
            .into_iter()
            .map(|(user, attendance)| {
                let profile = self.latest_profile(&user);
                (user, attendance, profile)
            })
            .collect();
        MessageResult(shares)
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
        let mut profiles: std::collections::HashMap<Username, Profile> =
            msg.profiles.into_iter().collect();
        let truth = msg
            .online
            .into_iter()
            .map(|(user, attendance)| {
                let profile = profiles
                    .remove(&user)
                    .unwrap_or_else(|| self.announced.profile(&user));
                (user, attendance, profile)
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

/// Whether the link has joined the cluster and news goes through Redis
/// (for tests, which must not act before a node has joined).
#[cfg(feature = "testkit")]
#[derive(Message)]
#[rtype(result = "bool")]
pub struct InCluster;

#[cfg(feature = "testkit")]
impl Handler<InCluster> for PresenceHub {
    type Result = bool;

    fn handle(&mut self, _: InCluster, _: &mut Context<Self>) -> bool {
        self.reach.is_joined()
    }
}
