//! [`Occupancy`]: one online user's sockets and holds, and how they attend.
//!
//! A user's attendance is asked for on every join, leave and activity
//! change, so it is kept as counts (active sockets, sockets per kind of
//! device) rather than found by visiting every socket: a user with many
//! tabs costs no more per change than a user with one.

use std::collections::{HashMap, HashSet};

use super::{ConnId, HoldId};
use crate::{
    auth::SessionId,
    live::status::{Attendance, Device, Devices},
};

/// One online user: their sockets and holds, and their attendance while
/// only holds keep them.
pub(super) struct Occupancy {
    /// Changed only through `add` and `remove`, which keep the counts.
    sockets: HashSet<ConnId>,
    pub(super) holds: HashMap<SessionId, HoldId>,
    /// How they attend while they have no socket: as their sockets left
    /// them, or as they logged in.
    pub(super) held: Attendance,
    /// How many of `sockets` are active.
    active: usize,
    /// How many of `sockets` are on a desktop and on a phone.
    on: [usize; 2],
}

/// The slot of `device` in [`Occupancy::on`].
fn slot(device: Device) -> usize {
    match device {
        Device::Desktop => 0,
        Device::Mobile => 1,
    }
}

impl Occupancy {
    pub(super) fn new(held: Attendance) -> Self {
        Self {
            sockets: HashSet::new(),
            holds: HashMap::new(),
            held,
            active: 0,
            on: [0; 2],
        }
    }

    /// Counts in socket `id`, `active` or not, on `device`.
    pub(super) fn add(&mut self, id: ConnId, active: bool, device: Device) {
        if self.sockets.insert(id) {
            self.active += usize::from(active);
            self.on[slot(device)] += 1;
        }
    }

    /// Counts out socket `id`, as it was when it was counted last.
    pub(super) fn remove(&mut self, id: ConnId, active: bool, device: Device) {
        if self.sockets.remove(&id) {
            self.active -= usize::from(active);
            self.on[slot(device)] -= 1;
        }
    }

    /// The user's sockets, in no order.
    pub(super) fn sockets(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.sockets.iter().copied()
    }

    /// Whether the user has a live socket (holds do not count).
    pub(super) fn has_sockets(&self) -> bool {
        !self.sockets.is_empty()
    }

    /// A counted socket's page became `active` (it was not) or idle.
    pub(super) fn activity(&mut self, active: bool) {
        if active {
            self.active += 1;
        } else {
            self.active = self.active.saturating_sub(1);
        }
    }

    /// How the user attends now.
    pub(super) fn attendance(&self) -> Attendance {
        if !self.has_sockets() {
            return self.held;
        }
        let devices = [Device::Desktop, Device::Mobile]
            .into_iter()
            .filter(|device| self.on[slot(*device)] > 0)
            .fold(Devices::NONE, |all, device| all.union(Devices::of(device)));
        Attendance {
            active: self.active > 0,
            devices,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDLE_NOWHERE: Attendance = Attendance {
        active: false,
        devices: Devices::NONE,
    };

    #[test]
    fn counts_follow_sockets_added_changed_and_removed() {
        let mut user = Occupancy::new(IDLE_NOWHERE);
        user.add(ConnId(1), true, Device::Desktop);
        user.add(ConnId(2), false, Device::Mobile);
        let both = Devices::of(Device::Desktop).union(Devices::of(Device::Mobile));
        assert_eq!(
            user.attendance(),
            Attendance {
                active: true,
                devices: both
            }
        );
        user.activity(false);
        assert!(!user.attendance().active);
        user.remove(ConnId(1), false, Device::Desktop);
        let phone = Attendance {
            active: false,
            devices: Devices::of(Device::Mobile),
        };
        assert_eq!(user.attendance(), phone);
    }

    #[test]
    fn a_socket_counted_twice_or_removed_unknown_leaves_the_counts_alone() {
        let mut user = Occupancy::new(IDLE_NOWHERE);
        user.add(ConnId(1), true, Device::Desktop);
        user.add(ConnId(1), true, Device::Desktop);
        user.remove(ConnId(9), true, Device::Mobile);
        user.remove(ConnId(1), true, Device::Desktop);
        assert_eq!((user.active, user.on), (0, [0, 0]));
        assert_eq!(user.attendance(), IDLE_NOWHERE, "the held attendance");
    }
}
