//! Grace holds: why a reload, or a login whose page is still loading,
//! does not flap a user offline.
//!
//! When a user's last socket closes, the hub keeps them online on behalf
//! of that login for the grace period; when they log in and their page has
//! not opened its socket yet, for the login hold, which is longer (a page
//! takes longer to load after a login than to reload). The [`Roster`]
//! names each hold, so a timer whose hold was replaced (a second close) or
//! superseded (a socket came back) does nothing when it fires.
//!
//! [`Roster`]: crate::live::roster::Roster

use actix::{AsyncContext, Context};

use super::PresenceHub;
use crate::{
    auth::{SessionId, Username},
    live::status::Device,
};

impl PresenceHub {
    /// Keeps `user` online on behalf of `session`: for the grace period
    /// after their last socket closed, or for the login hold after a login
    /// made from `device`, which starts the user off on it.
    pub(super) fn start_grace(
        &mut self,
        user: Username,
        session: SessionId,
        device: Option<Device>,
        ctx: &mut Context<Self>,
    ) {
        let period = match device {
            Some(_) => self.settings.login_hold,
            None => self.settings.grace,
        };
        if period.is_zero() {
            return self.end_at_once(&user, &session);
        }
        let (change, hold) = self.roster.hold_from(&user, session.clone(), device);
        self.decide(change);
        ctx.run_later(period, move |hub, _| {
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
