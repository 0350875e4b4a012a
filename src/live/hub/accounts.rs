//! What the account handlers tell the hub: logins, logouts and sign-ups.
//!
//! A login holds its user online for the grace period, until their page
//! opens a socket; a logout closes that login's sockets (with 1000) on
//! every node; a sign-up tells every socket that a new user exists.

use actix::prelude::*;

use super::{News, PresenceHub};
use crate::{
    auth::{SessionId, Username},
    live::status::{Device, Profile},
};

/// A user logged in: they count as connected for the grace period.
#[derive(Message)]
#[rtype(result = "()")]
pub struct UserLoggedIn {
    /// Who.
    pub user: Username,
    /// The new login.
    pub session: SessionId,
    /// What they chose for their status, as their row says.
    pub profile: Profile,
    /// The kind of device they logged in from.
    pub device: Device,
}

/// A user logged out of one login: its sockets are closed with 1000, on
/// every node.
#[derive(Message)]
#[rtype(result = "()")]
pub struct UserLoggedOut {
    /// Who.
    pub user: Username,
    /// The login that ended.
    pub session: SessionId,
}

/// A new account exists; every socket is told.
#[derive(Message)]
#[rtype(result = "()")]
pub struct UserSignedUp {
    /// The new user.
    pub user: Username,
}

impl Handler<UserLoggedIn> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: UserLoggedIn, ctx: &mut Context<Self>) {
        if self.serving && !self.roster.has_sockets(&msg.user) {
            self.know_profile(&msg.user, msg.profile);
            self.start_grace(msg.user, msg.session, Some(msg.device), ctx);
        }
    }
}

impl Handler<UserLoggedOut> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: UserLoggedOut, _: &mut Context<Self>) {
        // This node's sockets close at once; the other nodes' when the
        // news reaches them.
        self.end_login(&msg.user, &msg.session);
        self.spread(News::Logout {
            user: msg.user,
            session: msg.session,
        });
    }
}

impl Handler<UserSignedUp> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: UserSignedUp, _: &mut Context<Self>) {
        self.spread(News::UserAdded { user: msg.user });
    }
}
