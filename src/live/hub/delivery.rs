//! Delivering frames to every socket, and cutting off those that do not
//! read.
//!
//! The frames of one announcement are serialized once and shared: each
//! socket gets one [`Deliver`] holding a reference to the same buffers, so
//! a burst of events costs one mailbox slot per socket. A socket that is
//! not reading is closed (1013) rather than left to grow, and its TCP
//! connection is cut a few seconds later if the client still does not take
//! the close frame. The hub finds such sockets two ways: a delivery finds
//! its mailbox full, or its output has not moved for the stall timeout
//! (see [`Progress`](crate::live::progress::Progress)), which catches a
//! client that stopped reading when no new event comes to fill its queue.
//! A session that died without saying goodbye is found by a delivery too,
//! and leaves as if it had.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use actix::prelude::*;

use super::{ConnId, Disconnect, PresenceHub};
use crate::live::{
    protocol::Frame,
    session::{Close, CloseReason, Deliver},
};

/// How long a stalled socket has to take its close frame before its TCP
/// connection is shut down.
const SLOW_CUTOFF: Duration = Duration::from_secs(5);

impl PresenceHub {
    /// Delivers `frames`, in order, to every socket.
    pub(super) fn deliver(&mut self, frames: Vec<Frame>) {
        if frames.is_empty() {
            return;
        }
        let batch: Arc<[Frame]> = frames.into();
        let per_socket = batch.len() as u64;
        let (mut stalled, mut dead) = (Vec::new(), Vec::new());
        let (mut sent, mut dropped) = (0u64, 0u64);
        for (id, member) in self.roster.members() {
            let deliver = Deliver {
                frames: batch.clone(),
            };
            match member.handle.deliver.try_send(deliver) {
                Ok(()) => sent += per_socket,
                Err(SendError::Full(_)) => {
                    dropped += per_socket;
                    stalled.push(*id);
                }
                Err(SendError::Closed(_)) => {
                    dropped += per_socket;
                    dead.push(*id);
                }
            }
        }
        self.meters.frames(sent, dropped);
        for id in stalled {
            self.cut_off(id, Stall::QueueFull);
        }
        if let Some(myself) = &self.myself {
            // Its Disconnect may be on the way, or may never come (the
            // actor panicked): leaving twice is harmless, and this way the
            // user gets the grace period as after any close.
            for conn in dead {
                myself.do_send(Disconnect { conn });
            }
        }
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
        let Some(member) = self.roster.leave(id) else {
            return;
        };
        tracing::warn!(user = %member.user, conn = id.0, ?stall, "socket not reading; closing it");
        self.meters.closed_stalled(stall.label());
        self.meters.count_sockets(self.roster.socket_count());
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

/// How the hub found that a socket stopped reading.
#[derive(Clone, Copy, Debug)]
enum Stall {
    /// A delivery found its mailbox full.
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
