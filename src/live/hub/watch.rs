//! Watching: a page that shows a few users says which, and its socket
//! gets news about them only, plus the counts.
//!
//! - [`Watch`] replaces the socket's watch set. The hub answers it with
//!   one `presence` frame for each newly watched user, saying what they
//!   are shown as now (offline ones with `last_seen_at` when this node
//!   knows it), so the page never shows a stale status. The first watch
//!   of a socket also takes it off the full feed, and its answer ends with
//!   the current `counts`.
//! - Once a second, if the counts changed since they were last sent to
//!   it, every watching socket gets one `counts` frame: a tenth of the
//!   sockets at each tick of [`COUNTS_TICK`], so that the frames do not
//!   all go at one instant (see [`CountsGate`]). A socket on the full feed
//!   gets none: it sees every change and counts for itself.
//!
//! [`CountsGate`]: crate::live::counts::CountsGate
//!
//! Delivery of each change to its watchers is in `delivery`.

use std::{sync::Arc, time::Duration};

use actix::prelude::*;

use super::{ConnId, PresenceHub, couriers::Feed};
use crate::{
    auth::Username,
    db::now_millis,
    live::{
        counts::{Counts, SLICES, slice_of},
        courier::{Audience, Batch, Route},
        protocol::{Frame, ServerFrame},
    },
};

/// How often one slice of the watching sockets may be sent the counts:
/// each socket's turn comes once a second.
pub(super) const COUNTS_TICK: Duration = Duration::from_millis(1000 / SLICES as u64);

/// A socket's page shows `users`: from now on it gets news about them
/// only (and the counts). Replaces what it watched before.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Watch {
    /// The socket.
    pub conn: ConnId,
    /// Whom it watches, at most
    /// [`MAX_WATCHED`](crate::live::watchers::MAX_WATCHED).
    pub users: Vec<Username>,
}

impl Handler<Watch> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: Watch, _: &mut Context<Self>) {
        let Some(member) = self.roster.member(msg.conn) else {
            return;
        };
        let (route, own) = (member.handle.route.clone(), member.user.clone());
        self.answer_watch(msg.conn, &route, &own, msg.users);
    }
}

impl PresenceHub {
    /// Makes `users` what socket `conn` (of user `own`, reached through
    /// `route`) watches, and answers with the state of those it did not
    /// watch before; the first watch also takes the socket off the full
    /// feed and ends with the counts.
    pub(super) fn answer_watch(
        &mut self,
        conn: ConnId,
        route: &Route,
        own: &Username,
        users: Vec<Username>,
    ) {
        let first = !self.watchers.is_watching(conn);
        // The session checked the size; a longer list changes nothing.
        let Ok(added) = self.watchers.watch(conn, users) else {
            return;
        };
        if first {
            self.couriers.start_watching(route);
        }
        let mut frames: Vec<Frame> = Vec::with_capacity(added.len() + 2);
        for user in &added {
            frames.push(self.announced.presence_of(user));
            if user == own {
                // An invisible user watching themselves sees that they are.
                frames.extend(self.announced.self_frame(user, now_millis()));
            }
        }
        if first {
            let counts = self.announced.counts();
            self.counts_sent.told_one(slice_of(route.outbox), counts);
            frames.push(counts_frame(counts));
        }
        let batch = Batch {
            frames: frames.into(),
            to: Audience::Watch {
                outbox: route.outbox,
            },
        };
        if route.via.try_send(batch).is_err() {
            self.lose_courier(route.courier, false);
        }
    }

    /// Sends the watching sockets of the slice whose turn it is the
    /// counts, if they changed since that slice was sent them last.
    pub(super) fn send_counts(&mut self) {
        if self.watchers.sockets() == 0 {
            return;
        }
        let Some((slice, counts)) = self.counts_sent.next_turn(self.announced.counts()) else {
            return;
        };
        let frames: Arc<[Frame]> = Arc::from([counts_frame(counts)]);
        for (courier, full) in self.couriers.send(Feed::WatchingSlice(slice), &frames) {
            self.lose_courier(courier, full);
        }
    }
}

/// The `counts` frame of `counts`.
fn counts_frame(counts: Counts) -> Frame {
    Frame::from(&ServerFrame::Counts {
        online: counts.online,
        away: counts.away,
        dnd: counts.dnd,
    })
}
