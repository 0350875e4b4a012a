//! Who is connected: the hub's bookkeeping, free of actors and timers.
//!
//! A user is online while they have at least one live socket or at least
//! one *hold*. A hold keeps a user online on behalf of one login session
//! for the grace period: it is taken when a login happens (before its page
//! has opened a socket) and when a user's last socket closes (a reload, or
//! a click to another page). The hub arms a timer per hold; when it fires,
//! [`Roster::release`] drops the hold if it is still the current one.
//!
//! Each socket also says whether its page is active or idle, and what kind
//! of device it is on. A user's [`Attendance`] is active if any of their
//! sockets is, and lists every kind of device they are on; while only a
//! hold keeps them, it stays as their sockets left it.
//!
//! Every method returns the [`Change`] of the user's attendance it caused,
//! if any, so the hub only has to announce what it is told.

use std::collections::{HashMap, hash_map::Entry};

mod member;
mod occupancy;

pub use self::member::{ConnId, HoldId, Member};
use self::occupancy::Occupancy;
use crate::{
    auth::{SessionId, Username},
    live::{
        change::Change,
        status::{Attendance, Device, Devices},
    },
};

/// What a socket's first arrival starts from: active, on no device yet
/// (the socket then adds its own).
const LOGGED_IN: Attendance = Attendance {
    active: true,
    devices: Devices::NONE,
};

/// Sockets per user and holds per login.
pub struct Roster<S> {
    members: HashMap<ConnId, Member<S>>,
    users: HashMap<Username, Occupancy>,
    next_hold: u64,
}

impl<S> Default for Roster<S> {
    fn default() -> Self {
        Self {
            members: HashMap::new(),
            users: HashMap::new(),
            next_hold: 0,
        }
    }
}

impl<S> Roster<S> {
    /// Registers a socket. A live socket supersedes every hold of its user.
    pub fn join(&mut self, id: ConnId, member: Member<S>) -> Option<Change> {
        let user = member.user.clone();
        let before = self.attendance(&user);
        let occupancy = self
            .users
            .entry(user.clone())
            .or_insert_with(|| Occupancy::new(LOGGED_IN));
        occupancy.holds.clear();
        occupancy.add(id, member.active, member.device);
        self.members.insert(id, member);
        self.changed(user, before)
    }

    /// Unregisters a socket and returns it, with the change of its user's
    /// attendance (their last active socket may have gone). The user stays
    /// online even if this was their last socket, as it left them: the hub
    /// decides whether to take a hold.
    pub fn leave(&mut self, id: ConnId) -> Option<(Member<S>, Option<Change>)> {
        let before = self.attendance(&self.members.get(&id)?.user);
        let member = self.members.remove(&id)?;
        let Some(occupancy) = self.users.get_mut(&member.user) else {
            return Some((member, None));
        };
        occupancy.remove(id, member.active, member.device);
        if !occupancy.has_sockets() {
            if let Some(before) = before {
                occupancy.held = before;
            }
            return Some((member, None));
        }
        let change = self.changed(member.user.clone(), before);
        Some((member, change))
    }

    /// Records whether socket `id`'s page is active.
    pub fn set_active(&mut self, id: ConnId, active: bool) -> Option<Change> {
        let member = self.members.get_mut(&id)?;
        if member.active == active {
            return None;
        }
        member.active = active;
        let user = member.user.clone();
        let occupancy = self.users.get_mut(&user)?;
        let before = occupancy.attendance();
        occupancy.activity(active);
        self.changed(user, Some(before))
    }

    /// Keeps `user` online on behalf of `session` until the hold is
    /// released. Replaces that session's previous hold, if any.
    pub fn hold(&mut self, user: &Username, session: SessionId) -> (Option<Change>, HoldId) {
        self.hold_from(user, session, None)
    }

    /// [`Roster::hold`] for a login made from `device`: a user who was
    /// offline attends from it until their page connects (from the same
    /// browser, usually, so that connecting changes nothing).
    pub fn hold_from(
        &mut self,
        user: &Username,
        session: SessionId,
        device: Option<Device>,
    ) -> (Option<Change>, HoldId) {
        self.next_hold += 1;
        let hold = HoldId(self.next_hold);
        let before = self.attendance(user);
        let logged_in = Attendance {
            active: true,
            devices: device.map_or(Devices::NONE, Devices::of),
        };
        self.users
            .entry(user.clone())
            .or_insert_with(|| Occupancy::new(logged_in))
            .holds
            .insert(session, hold);
        (self.changed(user.clone(), before), hold)
    }

    /// Drops `hold` if it is still `session`'s current hold on `user`.
    pub fn release(
        &mut self,
        user: &Username,
        session: &SessionId,
        hold: HoldId,
    ) -> Option<Change> {
        let occupancy = self.users.get_mut(user)?;
        if occupancy.holds.get(session) != Some(&hold) {
            return None;
        }
        occupancy.holds.remove(session);
        self.offline_if_idle(user)
    }

    /// Ends a login: removes its sockets (returned, for the hub to close)
    /// and its hold. The user goes offline unless another login still has
    /// a socket or a hold; their attendance changes if only that login's
    /// sockets were active.
    pub fn log_out(
        &mut self,
        user: &Username,
        session: &SessionId,
    ) -> (Vec<(ConnId, Member<S>)>, Option<Change>) {
        let before = self.attendance(user);
        let Some(occupancy) = self.users.get_mut(user) else {
            return (Vec::new(), None);
        };
        occupancy.holds.remove(session);
        let closing: Vec<ConnId> = occupancy
            .sockets()
            .filter(|id| self.members.get(id).is_some_and(|m| &m.session == session))
            .collect();
        let mut closed = Vec::with_capacity(closing.len());
        for id in closing {
            if let Some(member) = self.members.remove(&id) {
                occupancy.remove(id, member.active, member.device);
                closed.push((id, member));
            }
        }
        if let Some(change) = self.offline_if_idle(user) {
            return (closed, Some(change));
        }
        (closed, self.changed(user.clone(), before))
    }

    fn offline_if_idle(&mut self, user: &Username) -> Option<Change> {
        match self.users.entry(user.clone()) {
            Entry::Occupied(entry)
                if !entry.get().has_sockets() && entry.get().holds.is_empty() =>
            {
                entry.remove();
                Some(Change::went_offline(user.clone()))
            }
            _ => None,
        }
    }

    /// How `user` attends now; `None` when they are offline.
    pub fn attendance(&self, user: &Username) -> Option<Attendance> {
        self.users.get(user).map(Occupancy::attendance)
    }

    /// The change from `before` to `user`'s attendance now, if any.
    fn changed(&self, user: Username, before: Option<Attendance>) -> Option<Change> {
        let now = self.attendance(&user);
        (now != before).then_some(Change {
            user,
            attendance: now,
        })
    }

    /// Whether `user` has a live socket (holds do not count).
    pub fn has_sockets(&self, user: &Username) -> bool {
        self.users.get(user).is_some_and(Occupancy::has_sockets)
    }

    /// The sockets of `user`.
    pub fn sockets_of(&self, user: &Username) -> impl Iterator<Item = (ConnId, &Member<S>)> {
        self.users
            .get(user)
            .into_iter()
            .flat_map(Occupancy::sockets)
            .filter_map(|id| Some((id, self.members.get(&id)?)))
    }

    /// One registered socket.
    pub fn member(&self, id: ConnId) -> Option<&Member<S>> {
        self.members.get(&id)
    }

    /// Every online user, with how they attend, in no particular order.
    pub fn online(&self) -> impl Iterator<Item = (&Username, Attendance)> {
        self.users
            .keys()
            .filter_map(|user| Some((user, self.attendance(user)?)))
    }

    /// Every registered socket.
    pub fn members(&self) -> impl Iterator<Item = (&ConnId, &Member<S>)> {
        self.members.iter()
    }

    /// How many sockets are registered.
    pub fn socket_count(&self) -> usize {
        self.members.len()
    }

    /// Removes everything and returns the sockets, for a shutdown.
    pub fn drain(&mut self) -> Vec<Member<S>> {
        self.users.clear();
        self.members.drain().map(|(_, member)| member).collect()
    }
}

#[cfg(test)]
mod tests;
