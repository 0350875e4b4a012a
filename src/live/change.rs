//! [`Change`]: how a user attends changed: they came online, went offline,
//! went idle or active, or connected from another kind of device.
//!
//! This is the one in-process shape of that fact, from the [`Roster`] that
//! decides it, through the [`PresenceStore`] that writes it and the
//! cluster's [`Fanout`], back to the hub that announces it. The wire shapes
//! of the same fact (the Lua scripts' arguments, the Redis [`Bulletin`] and
//! the WebSocket [`ServerFrame`]) are converted at their boundary only.
//!
//! [`Roster`]: crate::live::roster::Roster
//! [`PresenceStore`]: crate::live::store::PresenceStore
//! [`Fanout`]: crate::live::fanout::Fanout
//! [`Bulletin`]: crate::live::fanout::bulletin::Bulletin
//! [`ServerFrame`]: crate::live::protocol::ServerFrame

use crate::{
    auth::Username,
    live::status::{Attendance, Devices},
};

/// A user's attendance, as it is now.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Change {
    /// Whose.
    pub user: Username,
    /// How they attend now; `None` when they are not connected at all.
    pub attendance: Option<Attendance>,
}

impl Change {
    /// `user` came online: connected, active, on no known device yet (a
    /// login whose page has not connected).
    pub fn came_online(user: Username) -> Self {
        Self::to(user, true)
    }

    /// `user` went offline.
    pub fn went_offline(user: Username) -> Self {
        Self {
            user,
            attendance: None,
        }
    }

    /// `user` online (active, no device known) or offline.
    pub fn to(user: Username, online: bool) -> Self {
        let attendance = online.then_some(Attendance {
            active: true,
            devices: Devices::NONE,
        });
        Self { user, attendance }
    }

    /// Whose attendance changed.
    pub fn user(&self) -> &Username {
        &self.user
    }

    /// Whether the user is connected afterwards.
    pub fn is_online(&self) -> bool {
        self.attendance.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_built_from_a_status_says_that_status() {
        let ann = Username::parse("ann").unwrap();
        let online = Change::to(ann.clone(), true);
        assert_eq!(online, Change::came_online(ann.clone()));
        assert!(online.is_online());
        let offline = Change::to(ann.clone(), false);
        assert_eq!(offline, Change::went_offline(ann.clone()));
        assert!(!offline.is_online());
        assert_eq!(offline.user(), &ann);
    }
}
