//! Delivering frames through the couriers, and cutting off sockets that do
//! not read.
//!
//! The frames of one announcement are serialized and encoded once and
//! shared. The hub sends one [`Batch`] to the courier of each worker that
//! holds sockets on the full feed (see `couriers`), and the courier hands
//! it to each of those sockets. A frame about a user also goes to the
//! sockets that watch that user, found in the hub's
//! [`Watchers`](crate::live::watchers::Watchers) index: one batch per
//! courier, naming their outboxes.
//!
//! A socket that is not reading is closed (1013) rather than left to grow,
//! and its TCP connection is cut a few seconds later if the client still
//! does not take the close frame. Such sockets are found two ways: its
//! courier finds its outbox full ([`Stalled`]), or its output has not moved
//! for the stall timeout (see [`Progress`](crate::live::progress::Progress)),
//! which catches a client that stopped reading when no new event comes to
//! fill its queue.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use actix::prelude::*;

use super::{ConnId, Disconnect, PresenceHub, Socket, couriers::Feed};
use crate::{
    auth::Username,
    db::now_millis,
    live::{
        announced::Announced,
        courier::{Audience, Batch, CourierId, OutboxId, Route},
        frame::Frame,
        roster::Member,
        session::{Close, CloseReason},
    },
};

/// How long a stalled socket has to take its close frame before its TCP
/// connection is shut down.
const SLOW_CUTOFF: Duration = Duration::from_secs(5);

/// A courier found a socket's outbox full: its client is not reading.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Stalled {
    /// The socket.
    pub conn: ConnId,
}

impl PresenceHub {
    /// Delivers `frames`, in order, to every joined socket on the full
    /// feed, and each frame about a user to the sockets watching them and
    /// to that user's own watching sockets.
    pub(super) fn deliver(&mut self, frames: Vec<Frame>) {
        if frames.is_empty() {
            return;
        }
        let frames: Arc<[Frame]> = frames.into();
        let mut failed = self.couriers.send(Feed::Full, &frames);
        for frame in frames.iter() {
            if let Some(user) = frame.subject() {
                let mut to: Vec<ConnId> = self.watchers.watchers_of(user).collect();
                // A watching tab still hears about its own user, as the
                // full feed would tell it: a status set in another tab.
                for (own, _) in self.roster.sockets_of(user) {
                    if self.watchers.is_watching(own) && !to.contains(&own) {
                        to.push(own);
                    }
                }
                failed.extend(self.send_to(to, &Arc::from([frame.clone()])));
            }
        }
        for (courier, full) in failed {
            self.lose_courier(courier, full);
        }
    }

    /// Delivers `frames` to every joined socket, watching or not: news as
    /// rare as a new account, which a page that lists the whole directory
    /// adds (and then watches), costs little to send everyone.
    pub(super) fn deliver_to_all(&mut self, frames: Vec<Frame>) {
        let frames: Arc<[Frame]> = frames.into();
        let mut failed = self.couriers.send(Feed::Full, &frames);
        failed.extend(self.couriers.send(Feed::Watching, &frames));
        for (courier, full) in failed {
            self.lose_courier(courier, full);
        }
    }

    /// Delivers `frame` to `user`'s own sockets only.
    pub(super) fn deliver_to_user(&mut self, user: &Username, frame: Frame) {
        let own: Vec<ConnId> = self.roster.sockets_of(user).map(|(id, _)| id).collect();
        // A courier that refuses is found by the next broadcast.
        let _ = self.send_to(own, &Arc::from([frame]));
    }

    /// Sends `frames` to the sockets `conns`, one batch per courier.
    /// Returns the couriers that refused, and whether each was full.
    pub(super) fn send_to(
        &self,
        conns: Vec<ConnId>,
        frames: &Arc<[Frame]>,
    ) -> Vec<(CourierId, bool)> {
        let mut by_courier: HashMap<CourierId, (Recipient<Batch>, Vec<OutboxId>)> = HashMap::new();
        for conn in conns {
            let Some(member) = self.roster.member(conn) else {
                continue;
            };
            let route = &member.handle.route;
            by_courier
                .entry(route.courier)
                .or_insert_with(|| (route.via.clone(), Vec::new()))
                .1
                .push(route.outbox);
        }
        let mut failed = Vec::new();
        for (id, (via, outboxes)) in by_courier {
            let batch = Batch {
                frames: frames.clone(),
                to: Audience::Several(outboxes),
            };
            if let Err(err) = via.try_send(batch) {
                failed.push((id, matches!(err, SendError::Full(_))));
            }
        }
        failed
    }

    /// Sends a socket its first frames: the snapshot (of nobody, for a
    /// socket that watches from the start), which joins it, and, for an
    /// invisible user, how they see themselves.
    pub(super) fn deliver_snapshot(
        &mut self,
        conn: ConnId,
        route: &Route,
        user: &Username,
        watching: bool,
    ) {
        let snapshot = if watching {
            Announced::watching_snapshot()
        } else {
            self.announced.snapshot()
        };
        let mut frames = vec![snapshot];
        frames.extend(self.announced.self_frame(user, now_millis()));
        let batch = Batch {
            frames: frames.into(),
            to: Audience::One {
                outbox: route.outbox,
                join: Some(conn),
            },
        };
        if route.via.try_send(batch).is_err() {
            self.lose_courier(route.courier, false);
        }
    }

    /// A courier refused a batch: its sockets leave. A courier that is gone
    /// (its worker, or a test's stand-in, stopped) had sockets that are
    /// gone too; one that is full had a worker that cannot keep up, and
    /// its sockets are cut off so their pages reconnect and resynchronise.
    pub(super) fn lose_courier(&mut self, courier: CourierId, full: bool) {
        let conns: Vec<ConnId> = self
            .roster
            .members()
            .filter(|(_, member)| member.handle.route.courier == courier)
            .map(|(id, _)| *id)
            .collect();
        tracing::warn!(sockets = conns.len(), full, "a courier refused a batch");
        for conn in conns {
            if full {
                self.cut_off(conn, Stall::QueueFull);
            } else if let Some(myself) = &self.myself {
                // As if its session had said goodbye: the user keeps the
                // grace period, as after any close.
                myself.do_send(Disconnect { conn });
            }
        }
    }

    /// Forgets a socket that left: its courier's count, and its watch.
    pub(super) fn release(&mut self, conn: ConnId, route: &Route) {
        let watching = self.watchers.forget(conn);
        self.couriers.release(route, watching);
    }

    /// Takes a socket out of the roster and out of its courier's count.
    /// Its user's attendance may change (their last active socket left).
    pub(super) fn leave(&mut self, conn: ConnId) -> Option<Member<Socket>> {
        let (member, change) = self.roster.leave(conn)?;
        self.release(conn, &member.handle.route);
        self.meters.count_sockets(self.roster.socket_count());
        self.decide(change);
        Some(member)
    }

    /// Cuts off every socket whose output has not moved for the stall
    /// timeout, as of `now`.
    pub(super) fn cut_stalled(&mut self, now: Instant) {
        let limit = self.settings.stall_timeout;
        let stalled: Vec<ConnId> = self
            .roster
            .members()
            .filter(|(_, member)| {
                member
                    .handle
                    .progress
                    .as_ref()
                    .is_some_and(|progress| progress.idle_at(now) > limit)
            })
            .map(|(id, _)| *id)
            .collect();
        for id in stalled {
            self.cut_off(id, Stall::NoProgress);
        }
    }

    /// Drops a socket that stopped reading: it leaves the roster at once,
    /// is asked to close with 1013, and loses its TCP connection later.
    fn cut_off(&mut self, id: ConnId, stall: Stall) {
        let Some(member) = self.leave(id) else {
            return;
        };
        tracing::warn!(user = %member.user, conn = id.0, ?stall, "socket not reading; closing it");
        self.meters.closed_stalled(stall.label());
        member.handle.close.do_send(Close {
            reason: CloseReason::TooSlow,
        });
        if let Some(connection) = member.handle.connection {
            // The session cannot act while its client does not read; give
            // the client a moment to take the 1013, then cut.
            actix::spawn(async move {
                tokio::time::sleep(SLOW_CUTOFF).await;
                if connection.cut() {
                    tracing::info!(peer = %connection.peer(), "cut off a socket that stopped reading");
                }
            });
        }
        if !self.roster.has_sockets(&member.user) {
            // Without a timer the user would stay online: end the hold at once.
            self.end_at_once(&member.user, &member.session);
        }
    }
}

impl Handler<Stalled> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: Stalled, _: &mut Context<Self>) {
        self.cut_off(msg.conn, Stall::QueueFull);
    }
}

/// How the hub found that a socket stopped reading.
#[derive(Clone, Copy, Debug)]
enum Stall {
    /// Its outbox was full.
    QueueFull,
    /// Its output did not move for the stall timeout.
    NoProgress,
}

impl Stall {
    /// The `reason` label of the closed-sockets metric.
    fn label(self) -> &'static str {
        match self {
            Self::QueueFull => "slow",
            Self::NoProgress => "stalled",
        }
    }
}
