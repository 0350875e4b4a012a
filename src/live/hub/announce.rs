//! From a decision to the frames that announce it.
//!
//! - [`PresenceHub::decide`] sends a change the roster reported to the
//!   store, which writes it and hands it back as `Persisted`.
//! - [`PresenceHub::spread`] sends news as far as the hub's [`Reach`]
//!   goes; what comes back to be announced here goes to
//!   [`PresenceHub::announce`].
//! - [`PresenceHub::announce`] turns news into frames for this node's
//!   sockets, keeping only what the sockets do not know yet.
//!
//! [`Reach`]: super::Reach

use std::time::Instant;

use super::{News, PresenceHub};
use crate::{
    auth::{SessionId, Username},
    db::now_millis,
    live::{
        change::Change,
        protocol::{Frame, ServerFrame},
        session::{Close, CloseReason},
    },
};

impl PresenceHub {
    /// Sends a change to the store; if the store has stopped (shutdown),
    /// spreads it at once.
    pub(super) fn decide(&mut self, change: Option<Change>) {
        let Some(change) = change else { return };
        self.meters.decided(&change);
        if let Err(unwritten) = self.store.record(vec![change]) {
            self.spread(News::Changes {
                changes: unwritten,
                at: now_millis(),
            });
        }
    }

    /// Sends `news` to the cluster, or announces it here on a single node
    /// (or while Redis is away).
    pub(super) fn spread(&mut self, news: News) {
        if let Some(news) = self.reach.forward(news) {
            self.announce(news);
        }
    }

    /// Tells this node's sockets what `news` changes for them.
    pub(super) fn announce(&mut self, news: News) {
        match news {
            News::Changes { changes, at } => {
                let frames = changes
                    .iter()
                    .filter_map(|change| self.announce_change(change, at))
                    .collect();
                self.deliver(frames);
                for change in &changes {
                    if change.attendance.is_none() {
                        self.forget_choice(&change.user, None);
                    }
                    self.tell_self(&change.user);
                }
            }
            News::Profile { user, profile } => {
                self.forget_choice(&user, Some(&profile));
                let frame = self.announced.set_profile(&user, profile, now_millis());
                self.count_shown();
                self.deliver(frame.into_iter().collect());
                self.tell_self(&user);
            }
            News::UserAdded { user } => {
                let frame = Frame::from(&ServerFrame::UserAdded {
                    username: user.to_string(),
                });
                self.deliver_to_all(vec![frame]);
            }
            // Ending a login twice (its own node ended it before spreading
            // the news) is harmless: the second time finds nothing.
            News::Logout { user, session } => self.end_login(&user, &session),
        }
    }

    /// Records one change as announced, and returns its frame if it is news.
    pub(super) fn announce_change(&mut self, change: &Change, at: i64) -> Option<Frame> {
        self.meters.announced(change);
        let frame = self.announced.apply(change, at, now_millis())?;
        tracing::debug!(user = %change.user(), attendance = ?change.attendance, "presence changed");
        self.count_shown();
        Some(frame)
    }

    /// Updates the gauge of users shown as not offline.
    pub(super) fn count_shown(&self) {
        self.meters
            .count_online_users(self.announced.online_count());
    }

    /// Ends one login here: closes its sockets (1000) and drops its hold.
    pub(super) fn end_login(&mut self, user: &Username, session: &SessionId) {
        self.ended.record(session.clone(), Instant::now());
        let (closed, change) = self.roster.log_out(user, session);
        for (conn, member) in closed {
            self.release(conn, &member.handle.route);
            member.handle.close.do_send(Close {
                reason: CloseReason::LoggedOut,
            });
        }
        self.meters.count_sockets(self.roster.socket_count());
        self.decide(change);
    }
}
