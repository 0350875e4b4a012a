//! Delivering frames to every socket, and cutting off those that do not
//! read.
//!
//! The frames of one announcement are serialized once and shared: each
//! socket gets one [`Deliver`] holding a reference to the same buffers, so
//! a burst of events costs one mailbox slot per socket. A socket whose
//! mailbox is full is not reading; it is closed (1013) rather than left to
//! grow, and its TCP connection is cut a few seconds later if the client
//! still does not take the close frame.

use std::{sync::Arc, time::Duration};

use actix::prelude::*;

use super::{ConnId, PresenceHub};
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
        let mut stalled = Vec::new();
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
                Err(SendError::Closed(_)) => dropped += per_socket,
            }
        }
        self.meters.frames(sent, dropped);
        for id in stalled {
            self.cut_off(id);
        }
    }

    /// Drops a socket that stopped reading: it leaves the roster at once,
    /// is asked to close with 1013, and loses its TCP connection later.
    fn cut_off(&mut self, id: ConnId) {
        let Some(member) = self.roster.leave(id) else {
            return;
        };
        tracing::warn!(user = %member.user, conn = id.0, "socket not reading; closing it");
        self.meters.closed_slow();
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
