//! [`Change`]: a user came online or went offline.
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

use crate::auth::Username;

/// A transition of one user's status.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// The user had nothing and now has a socket or a hold.
    CameOnline(Username),
    /// The user's last socket or hold went away.
    WentOffline(Username),
}

impl Change {
    /// Whose status changed.
    pub fn user(&self) -> &Username {
        match self {
            Self::CameOnline(user) | Self::WentOffline(user) => user,
        }
    }

    /// Whether the user is online afterwards.
    pub fn is_online(&self) -> bool {
        matches!(self, Self::CameOnline(_))
    }

    /// The change that brings `user` to `online`.
    pub fn to(user: Username, online: bool) -> Self {
        if online {
            Self::CameOnline(user)
        } else {
            Self::WentOffline(user)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_built_from_a_status_says_that_status() {
        let ann = Username::parse("ann").unwrap();
        let online = Change::to(ann.clone(), true);
        assert_eq!(online, Change::CameOnline(ann.clone()));
        assert!(online.is_online());
        let offline = Change::to(ann.clone(), false);
        assert!(!offline.is_online());
        assert_eq!(offline.user(), &ann);
    }
}
