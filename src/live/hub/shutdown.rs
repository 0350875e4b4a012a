//! Shutting the hub down: every socket closes with 1001 (going away); a
//! cluster node then drains (keeps its users in the cluster, and its lease,
//! while their pages reconnect elsewhere); this node's `LoggedInUser` rows
//! go (with every status choice still waiting to be written), and the
//! node leaves the cluster, in that order, before the process exits.

use actix::{Context, Handler, Message, ResponseFuture};

use super::PresenceHub;
use crate::live::session::{Close, CloseReason};

/// Closes every socket with 1001, removes this node's `LoggedInUser` rows,
/// leaves the cluster, and turns away later sockets. Replies when done.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Shutdown;

impl Handler<Shutdown> for PresenceHub {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _: Shutdown, _: &mut Context<Self>) -> Self::Result {
        self.serving = false;
        for member in self.roster.drain() {
            member.handle.close.do_send(Close {
                reason: CloseReason::ServerShutdown,
            });
        }
        self.couriers.clear();
        self.watchers.clear();
        self.meters.count_sockets(0);
        self.announced.clear();
        let store = self.store.clone();
        let profiles = self.profile_store.clone();
        let fanout = self.reach.leave();
        let drain = crate::shutdown::drain_time(self.settings.grace, fanout.is_some());
        Box::pin(async move {
            if let Some(fanout) = &fanout {
                fanout.drain();
                actix::clock::sleep(drain).await;
            }
            // Rows first, then Redis: an observer elsewhere that sees the
            // offline bulletin and reloads finds the rows gone already.
            // Both writers at once: each has its own deadline.
            tokio::join!(store.stop(), profiles.stop());
            if let Some(fanout) = fanout {
                fanout.stop().await;
            }
        })
    }
}
