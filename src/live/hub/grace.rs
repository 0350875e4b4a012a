//! Grace holds: why a reload does not flap a user offline.
//!
//! When a user's last socket closes, or when they log in and their page
//! has not opened its socket yet, the hub keeps them online on behalf of
//! that login for the grace period. The [`Roster`] names each hold, so a
//! timer whose hold was replaced (a second close) or superseded (a socket
//! came back) does nothing when it fires.
//!
//! [`Roster`]: crate::live::roster::Roster

use actix::{AsyncContext, Context};

use super::PresenceHub;
use crate::{
    auth::{SessionId, Username},
    live::status::Device,
};

impl PresenceHub {
    /// Keeps `user` online for the grace period on behalf of `session`.
    /// A login made from `device` starts the user off on it.
    pub(super) fn start_grace(
        &mut self,
        user: Username,
        session: SessionId,
        device: Option<Device>,
        ctx: &mut Context<Self>,
    ) {
        if self.settings.grace.is_zero() {
            return self.end_at_once(&user, &session);
        }
        let (change, hold) = self.roster.hold_from(&user, session.clone(), device);
        self.decide(change);
        ctx.run_later(self.settings.grace, move |hub, _| {
            let change = hub.roster.release(&user, &session, hold);
            hub.decide(change);
        });
    }

    /// Takes `user` offline now unless another socket or login keeps them:
    /// a hold released as soon as it is taken.
    pub(super) fn end_at_once(&mut self, user: &Username, session: &SessionId) {
        let (change, hold) = self.roster.hold(user, session.clone());
        self.decide(change);
        let change = self.roster.release(user, session, hold);
        self.decide(change);
    }
}
