//! How the hub turns decisions into frames on its sockets.
//!
//! - [`PresenceHub::record`] sends a local transition to the store.
//! - [`PresenceHub::publish`] announces transitions to this node's sockets,
//!   skipping any that would not change what the sockets were told (in a
//!   cluster, bulletins and resynchronisations may repeat a state).
//! - [`PresenceHub::broadcast`] delivers one shared frame to every socket.

use std::{collections::BTreeMap, sync::Arc, time::Instant};

use actix::prelude::*;

use super::PresenceHub;
use crate::{
    auth::{SessionId, Username},
    db::now_millis,
    live::{
        protocol::{Frame, ServerFrame},
        roster::Change,
        session::{Close, CloseReason, Deliver},
    },
};

/// How long a stalled socket has to take its close frame before its TCP
/// connection is shut down.
const SLOW_CUTOFF: std::time::Duration = std::time::Duration::from_secs(5);

/// How many undelivered decisions the latency histogram tracks at most.
const PENDING_CAPACITY: usize = 100_000;

/// How many recently offline users the snapshot reports last-seen times
/// for; older ones are in the rendered page already.
const LAST_SEEN_CAPACITY: usize = 10_000;

impl PresenceHub {
    /// Keeps `user` online for the grace period on behalf of `session`.
    pub(super) fn start_grace(
        &mut self,
        user: Username,
        session: SessionId,
        ctx: &mut Context<Self>,
    ) {
        let (change, hold) = self.roster.hold(&user, session.clone());
        self.record(change);
        if self.grace.is_zero() {
            let change = self.roster.release(&user, &session, hold);
            self.record(change);
        } else {
            ctx.run_later(self.grace, move |hub, _| {
                let change = hub.roster.release(&user, &session, hold);
                hub.record(change);
            });
        }
    }

    /// Ends one login here: closes its sockets (1000) and drops its hold.
    pub(super) fn end_login(&mut self, user: &Username, session: &SessionId) {
        let (closed, change) = self.roster.log_out(user, session);
        for member in closed {
            member.handle.close.do_send(Close {
                reason: CloseReason::LoggedOut,
            });
        }
        self.record(change);
    }

    /// Sends a transition to the store, or announces it directly if the
    /// store has stopped.
    pub(super) fn record(&mut self, change: Option<Change>) {
        let Some(change) = change else { return };
        let key = match &change {
            Change::CameOnline(user) => (user.clone(), true),
            Change::WentOffline(user) => (user.clone(), false),
        };
        if self.pending.len() >= PENDING_CAPACITY {
            // Changes another node's count swallowed are never announced;
            // forget them rather than grow.
            self.pending.clear();
        }
        self.pending.insert(key, Instant::now());
        let unsent = match &self.store {
            Some(store) => store.record(vec![change]).err(),
            None => Some(vec![change]),
        };
        if let Some(changes) = unsent {
            self.publish(changes, now_millis());
        }
    }

    /// Announces transitions to this node's sockets, in one delivery.
    pub(super) fn publish(&mut self, changes: Vec<Change>, at: i64) {
        let frames = changes
            .into_iter()
            .filter_map(|change| match change {
                Change::CameOnline(user) => self.apply(user, true, None),
                Change::WentOffline(user) => self.apply(user, false, Some(at)),
            })
            .collect();
        self.broadcast(frames);
    }

    /// Announces one user's status, unless the sockets know it already.
    pub(super) fn publish_one(&mut self, user: Username, online: bool, at: Option<i64>) {
        let frames = self.apply(user, online, at).into_iter().collect();
        self.broadcast(frames);
    }

    /// Records a user's new status and returns its frame, or `None` if the
    /// sockets were already told.
    pub(super) fn apply(&mut self, user: Username, online: bool, at: Option<i64>) -> Option<Frame> {
        if let Some(decided) = self.pending.remove(&(user.clone(), online)) {
            self.meters
                .event_latency
                .record(decided.elapsed().as_secs_f64());
        }
        if self.published.contains(&user) == online {
            return None;
        }
        let last_seen_at = if online {
            None
        } else {
            Some(at.unwrap_or_else(now_millis))
        };
        let frame = Frame::from(&ServerFrame::Presence {
            username: user.to_string(),
            is_logged_in: online,
            last_seen_at,
        });
        tracing::info!(user = %user, online, "presence changed");
        match last_seen_at {
            None => {
                self.last_seen.remove(&user);
                self.published.insert(user);
            }
            Some(at) => {
                self.published.remove(&user);
                self.remember_last_seen(user, at);
            }
        }
        self.snapshot = None;
        self.meters.online_users.set(self.published.len() as f64);
        Some(frame)
    }

    /// Tells every socket about a new account.
    pub(super) fn announce_user_added(&mut self, user: &Username) {
        let frame = Frame::from(&ServerFrame::UserAdded {
            username: user.to_string(),
        });
        self.broadcast(vec![frame]);
    }

    /// Delivers frames to every socket, as one message per socket: the
    /// frames are serialized once and shared, and a burst of events costs
    /// one mailbox slot. A socket whose mailbox is full is not reading: it
    /// is closed (1013) rather than left to grow.
    pub(super) fn broadcast(&mut self, frames: Vec<Frame>) {
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
        self.meters.frames_sent.increment(sent);
        self.meters.frames_dropped.increment(dropped);
        for id in stalled {
            let Some(member) = self.roster.leave(id) else {
                continue;
            };
            tracing::warn!(user = %member.user, conn = id.0, "socket not reading; closing it");
            self.meters.closed_slow.increment(1);
            self.meters
                .open_sockets
                .set(self.roster.socket_count() as f64);
            member.handle.close.do_send(Close {
                reason: CloseReason::TooSlow,
            });
            if let Some(connection) = member.handle.connection {
                // The session cannot act while its client does not read;
                // give the client a moment to take the 1013, then cut.
                actix::spawn(async move {
                    tokio::time::sleep(SLOW_CUTOFF).await;
                    if connection.cut() {
                        tracing::info!(peer = %connection.peer(), "cut off a socket that stopped reading");
                    }
                });
            }
            if !self.roster.has_sockets(&member.user) {
                // Without a timer the user would stay online: end the
                // hold at once.
                let (change, hold) = self.roster.hold(&member.user, member.session.clone());
                self.record(change);
                let change = self.roster.release(&member.user, &member.session, hold);
                self.record(change);
            }
        }
    }

    fn remember_last_seen(&mut self, user: Username, at: i64) {
        self.last_seen.insert(user, at);
        if self.last_seen.len() > LAST_SEEN_CAPACITY {
            // Keep the newer half; amortised over many inserts, this is cheap.
            let mut times: Vec<i64> = self.last_seen.values().copied().collect();
            let middle = times.len() / 2;
            let cutoff = *times.select_nth_unstable(middle).1;
            self.last_seen.retain(|_, seen| *seen >= cutoff);
        }
    }

    /// The snapshot frame, serialized once per change of the online set.
    pub(super) fn snapshot_frame(&mut self) -> Frame {
        let (published, last_seen) = (&self.published, &self.last_seen);
        self.snapshot
            .get_or_insert_with(|| {
                Frame::from(&ServerFrame::Snapshot {
                    online: published.iter().map(ToString::to_string).collect(),
                    last_seen: last_seen
                        .iter()
                        .map(|(user, at)| (user.to_string(), *at))
                        .collect::<BTreeMap<_, _>>(),
                })
            })
            .clone()
    }
}
