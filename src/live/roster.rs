//! Who is connected: the hub's bookkeeping, free of actors and timers.
//!
//! A user is online while they have at least one live socket or at least
//! one *hold*. A hold keeps a user online on behalf of one login session
//! for the grace period: it is taken when a login happens (before its page
//! has opened a socket) and when a user's last socket closes (a reload, or
//! a click to another page). The hub arms a timer per hold; when it fires,
//! [`Roster::release`] drops the hold if it is still the current one.
//!
//! Every method returns the [`Change`] it caused, if any, so the hub only
//! has to announce what it is told.

use std::collections::{HashMap, HashSet, hash_map::Entry};

use crate::{
    auth::{SessionId, Username},
    live::change::Change,
};

/// The hub's id for one socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// Names one hold, so a timer for a hold that was since replaced or
/// cancelled does nothing when it fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoldId(u64);

/// A registered socket: whose it is, under which login, and whatever the
/// hub needs to reach it (`S`).
#[derive(Debug)]
pub struct Member<S> {
    /// The socket's user.
    pub user: Username,
    /// The login the socket was opened under.
    pub session: SessionId,
    /// How to reach the socket.
    pub handle: S,
}

#[derive(Default)]
struct Occupancy {
    sockets: HashSet<ConnId>,
    holds: HashMap<SessionId, HoldId>,
}

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
        let change = (!self.users.contains_key(&user)).then(|| Change::CameOnline(user.clone()));
        let occupancy = self.users.entry(user).or_default();
        occupancy.holds.clear();
        occupancy.sockets.insert(id);
        self.members.insert(id, member);
        change
    }

    /// Unregisters a socket and returns it. The user stays online even if
    /// this was their last socket: the hub decides whether to take a hold.
    pub fn leave(&mut self, id: ConnId) -> Option<Member<S>> {
        let member = self.members.remove(&id)?;
        if let Some(occupancy) = self.users.get_mut(&member.user) {
            occupancy.sockets.remove(&id);
        }
        Some(member)
    }

    /// Keeps `user` online on behalf of `session` until the hold is
    /// released. Replaces that session's previous hold, if any.
    pub fn hold(&mut self, user: &Username, session: SessionId) -> (Option<Change>, HoldId) {
        self.next_hold += 1;
        let hold = HoldId(self.next_hold);
        let change = (!self.users.contains_key(user)).then(|| Change::CameOnline(user.clone()));
        self.users
            .entry(user.clone())
            .or_default()
            .holds
            .insert(session, hold);
        (change, hold)
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
    /// a socket or a hold.
    pub fn log_out(
        &mut self,
        user: &Username,
        session: &SessionId,
    ) -> (Vec<Member<S>>, Option<Change>) {
        let Some(occupancy) = self.users.get_mut(user) else {
            return (Vec::new(), None);
        };
        occupancy.holds.remove(session);
        let closing: Vec<ConnId> = occupancy
            .sockets
            .iter()
            .copied()
            .filter(|id| self.members.get(id).is_some_and(|m| &m.session == session))
            .collect();
        let mut closed = Vec::with_capacity(closing.len());
        for id in closing {
            occupancy.sockets.remove(&id);
            closed.extend(self.members.remove(&id));
        }
        let change = self.offline_if_idle(user);
        (closed, change)
    }

    fn offline_if_idle(&mut self, user: &Username) -> Option<Change> {
        match self.users.entry(user.clone()) {
            Entry::Occupied(entry)
                if entry.get().sockets.is_empty() && entry.get().holds.is_empty() =>
            {
                entry.remove();
                Some(Change::WentOffline(user.clone()))
            }
            _ => None,
        }
    }

    /// Whether `user` has a live socket (holds do not count).
    pub fn has_sockets(&self, user: &Username) -> bool {
        self.users.get(user).is_some_and(|o| !o.sockets.is_empty())
    }

    /// Whether `user` is online.
    #[cfg(test)]
    fn is_online(&self, user: &Username) -> bool {
        self.users.contains_key(user)
    }

    /// Every online user, in no particular order.
    pub fn online(&self) -> impl Iterator<Item = &Username> {
        self.users.keys()
    }

    /// Every registered socket.
    pub fn members(&self) -> impl Iterator<Item = (&ConnId, &Member<S>)> {
        self.members.iter()
    }

    /// One registered socket.
    #[cfg(test)]
    fn member(&self, id: ConnId) -> Option<&Member<S>> {
        self.members.get(&id)
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
mod tests {
    use super::*;

    fn user(name: &str) -> Username {
        Username::parse(name).unwrap()
    }

    fn sid(name: &str) -> SessionId {
        SessionId::from_string(name)
    }

    fn member(name: &str, session: &str) -> Member<()> {
        Member {
            user: user(name),
            session: sid(session),
            handle: (),
        }
    }

    #[test]
    fn the_first_socket_brings_a_user_online_and_the_second_does_not() {
        let mut roster = Roster::default();
        assert_eq!(
            roster.join(ConnId(1), member("ann", "s1")),
            Some(Change::CameOnline(user("ann")))
        );
        assert_eq!(roster.join(ConnId(2), member("ann", "s1")), None);
    }

    #[test]
    fn leaving_keeps_the_user_online_until_the_hold_is_released() {
        let mut roster = Roster::default();
        roster.join(ConnId(1), member("ann", "s1"));
        roster.leave(ConnId(1));
        assert!(roster.is_online(&user("ann")));
        let (change, hold) = roster.hold(&user("ann"), sid("s1"));
        assert_eq!(change, None);
        assert_eq!(
            roster.release(&user("ann"), &sid("s1"), hold),
            Some(Change::WentOffline(user("ann")))
        );
        assert!(!roster.is_online(&user("ann")));
    }

    #[test]
    fn a_socket_joining_during_a_hold_makes_its_timer_harmless() {
        let mut roster = Roster::default();
        let (change, hold) = roster.hold(&user("ann"), sid("s1"));
        assert_eq!(change, Some(Change::CameOnline(user("ann"))));
        assert_eq!(roster.join(ConnId(1), member("ann", "s1")), None);
        assert_eq!(roster.release(&user("ann"), &sid("s1"), hold), None);
        assert!(roster.is_online(&user("ann")));
    }

    #[test]
    fn a_replaced_hold_is_not_released_by_its_old_timer() {
        let mut roster = Roster::<()>::default();
        let (_, first) = roster.hold(&user("ann"), sid("s1"));
        let (_, second) = roster.hold(&user("ann"), sid("s1"));
        assert_eq!(roster.release(&user("ann"), &sid("s1"), first), None);
        assert!(roster.release(&user("ann"), &sid("s1"), second).is_some());
    }

    #[test]
    fn logging_out_closes_only_that_sessions_sockets() {
        let mut roster = Roster::default();
        roster.join(ConnId(1), member("ann", "s1"));
        roster.join(ConnId(2), member("ann", "s2"));
        roster.join(ConnId(3), member("bob", "s3"));
        let (closed, change) = roster.log_out(&user("ann"), &sid("s1"));
        assert_eq!(closed.len(), 1);
        assert_eq!(change, None);
        assert!(roster.member(ConnId(2)).is_some() && roster.member(ConnId(3)).is_some());
        let (closed, change) = roster.log_out(&user("ann"), &sid("s2"));
        assert_eq!(closed.len(), 1);
        assert_eq!(change, Some(Change::WentOffline(user("ann"))));
    }

    #[test]
    fn logging_out_with_no_socket_drops_the_login_hold_at_once() {
        let mut roster = Roster::<()>::default();
        roster.hold(&user("ann"), sid("s1"));
        let (closed, change) = roster.log_out(&user("ann"), &sid("s1"));
        assert!(closed.is_empty());
        assert_eq!(change, Some(Change::WentOffline(user("ann"))));
    }

    #[test]
    fn leaving_twice_is_harmless() {
        let mut roster = Roster::default();
        roster.join(ConnId(1), member("ann", "s1"));
        assert!(roster.leave(ConnId(1)).is_some());
        assert!(roster.leave(ConnId(1)).is_none());
    }
}
