//! What a page says about its own user: that it is active or idle, and the
//! status the user chooses (auto, do not disturb, invisible, a custom
//! status).
//!
//! A page can only ever speak for its own user: the hub looks the user up
//! by the socket's id, never by a name the client sends. Activity changes
//! the user's attendance, through the roster, like a socket coming or
//! going. A choice is written to the user's row by the [`ProfileStore`]
//! and comes back as [`ProfileSaved`], to be spread as news: in a cluster
//! it reaches the user's other tabs on other nodes too. Custom statuses
//! expire by themselves, checked every second. Choices not yet announced
//! back (saved, and in a cluster ordered by Redis) are kept per user, so
//! that the next one builds on them.
//!
//! [`ProfileStore`]: crate::live::profile_store::ProfileStore

use std::time::Duration;

use actix::prelude::*;

use super::{ConnId, News, PresenceHub};
use crate::{
    auth::Username,
    db::now_millis,
    live::status::{CustomStatus, Manual, Profile},
};

/// How often expired custom statuses are looked for.
pub(super) const EXPIRY_CHECK: Duration = Duration::from_secs(1);

/// A socket's page became active or idle.
#[derive(Message)]
#[rtype(result = "()")]
pub struct SetActivity {
    /// The socket.
    pub conn: ConnId,
    /// `true` for active.
    pub active: bool,
}

/// A socket's user chose a status or a custom status.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ChangeProfile {
    /// The socket that asked.
    pub conn: ConnId,
    /// What it asked.
    pub choice: Choice,
}

/// One choice of a user about their status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Auto, do not disturb or invisible.
    Status(Manual),
    /// A new custom status, or none.
    Custom(Option<CustomStatus>),
}

/// A user's choice was written (or will be, once the database answers).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ProfileSaved {
    /// Whose.
    pub user: Username,
    /// What they chose, all of it.
    pub profile: Profile,
}

impl Handler<SetActivity> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: SetActivity, _: &mut Context<Self>) {
        let change = self.roster.set_active(msg.conn, msg.active);
        self.decide(change);
    }
}

impl Handler<ChangeProfile> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: ChangeProfile, _: &mut Context<Self>) {
        let Some(member) = self.roster.member(msg.conn) else {
            return;
        };
        let user = member.user.clone();
        // A choice builds on the previous one even before that one is
        // saved and announced: do not disturb then a custom status, sent
        // in one breath, must not lose the do not disturb.
        let mut profile = self.latest_profile(&user);
        match msg.choice {
            Choice::Status(manual) => profile.manual = manual,
            Choice::Custom(custom) => profile.custom = custom,
        }
        self.chosen.insert(user.clone(), profile.clone());
        self.profile_store.save(user, profile);
    }
}

impl Handler<ProfileSaved> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: ProfileSaved, _: &mut Context<Self>) {
        // The choice stays in `chosen` until it is announced here (see
        // `forget_choice`): in a cluster that is only once Redis has
        // sent it back, and a choice made meanwhile must build on it.
        self.spread(News::Profile {
            user: msg.user,
            profile: msg.profile,
        });
    }
}

impl PresenceHub {
    /// What `user` chose last as far as this node knows: its own choice
    /// not yet announced, else what was announced.
    pub(super) fn latest_profile(&self, user: &Username) -> Profile {
        match self.chosen.get(user) {
            Some(chosen) => chosen.clone(),
            None => self.announced.profile(user),
        }
    }

    /// `profile` of `user` was announced here. The writer saves in order,
    /// so once this node's latest choice is announced, the announced
    /// profile is as new and the choice is forgotten; a user gone offline
    /// takes theirs along. Either keeps `chosen` bounded by the users
    /// online.
    pub(super) fn forget_choice(&mut self, user: &Username, announced: Option<&Profile>) {
        if announced.is_none_or(|profile| self.chosen.get(user) == Some(profile)) {
            self.chosen.remove(user);
        }
    }

    /// Announces the custom statuses that expired by now.
    pub(super) fn expire_custom_statuses(&mut self) {
        let frames = self.announced.expire(now_millis());
        self.deliver(frames);
    }

    /// Spreads what a user chose, as their row says, when this node does
    /// not know them yet: before their attendance, so that it is shown
    /// with it. Only a profile that differs from what this node knows is
    /// spread: spreading the row's default on every first socket would
    /// race a choice being made on another node at that moment and could
    /// undo it there (there is no version to order the two).
    ///
    /// While the user is connected (or held) anywhere, what the hub was
    /// told last is newer than any row: a tab opened just after its user
    /// went invisible may have read the row before the choice was written
    /// (or while the write is being retried), and taking that row would
    /// show them to everyone.
    pub(super) fn know_profile(&mut self, user: &Username, profile: Profile) {
        if self.announced.attendance(user).is_some() {
            return;
        }
        if self.announced.profile(user) != profile {
            self.spread(News::Profile {
                user: user.clone(),
                profile,
            });
        }
    }

    /// Sends `user`'s own sockets how they see themselves, when that
    /// differs from what everyone else sees (they are invisible).
    pub(super) fn tell_self(&mut self, user: &Username) {
        if let Some(frame) = self.announced.self_frame(user, now_millis()) {
            self.deliver_to_user(user, frame);
        }
    }
}
