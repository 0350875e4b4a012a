//! Bulletins: the messages nodes exchange on the Redis channel.
//!
//! They are not the wire frames: they carry a sequence number, so a node
//! can tell when it missed one (pub/sub delivers at most once) and reload
//! the cluster state. The Lua scripts build `presence` and `user_added`
//! bulletins with `cjson`, inside the same atomic step that changes the
//! state, so sequence numbers follow the order of the changes.
//!
//! How a user attends travels as a small code ([`code`]): 4 when active,
//! plus the device bits (desktop 1, mobile 2). The OR of two codes is how a
//! user on two nodes attends: active if either is, on both kinds of device.

use serde::{Deserialize, Serialize};

use crate::{
    auth::Username,
    live::status::{Attendance, CustomStatus, Devices, Manual, Profile, StatusText},
};

/// The bit of the code that says "active".
const ACTIVE: u8 = 4;

/// The code of `attendance` in Redis and in bulletins.
pub fn code(attendance: Attendance) -> u8 {
    let active = if attendance.active { ACTIVE } else { 0 };
    active | attendance.devices.bits()
}

/// The attendance a code stands for (unknown bits ignored).
pub fn attendance(code: u8) -> Attendance {
    Attendance {
        active: code & ACTIVE != 0,
        devices: Devices::from_bits(code),
    }
}

/// One message on the channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Bulletin {
    /// How a user attends across the cluster changed: they came online on
    /// their first node, went offline on their last, or the combined code
    /// of their nodes moved (away, another kind of device).
    Presence {
        /// Position in the cluster's order of state changes.
        seq: u64,
        /// Whose status changed.
        user: String,
        /// The new status.
        online: bool,
        /// When they went offline (Unix ms).
        #[serde(default)]
        at: Option<i64>,
        /// How they attend across the cluster, when online (see [`code`]).
        #[serde(default)]
        code: Option<u8>,
    },
    /// A new account.
    UserAdded {
        /// Position in the cluster's order.
        seq: u64,
        /// The new user.
        user: String,
    },
    /// What a user chose for their status; every node (the sender too)
    /// shows it.
    Profile {
        /// Whose.
        user: String,
        /// `auto`, `dnd` or `invisible`.
        manual: String,
        /// Their custom status's text, if any.
        #[serde(default)]
        text: Option<String>,
        /// When it expires (Unix ms).
        #[serde(default)]
        until: Option<i64>,
    },
    /// A login ended on `origin`; other nodes close its sockets.
    Logout {
        /// Whose login.
        user: String,
        /// Which login.
        session: String,
        /// The node that handled the logout (and already closed its own).
        origin: String,
    },
}

impl Bulletin {
    /// The bulletin of `user`'s `profile`.
    pub fn profile(user: &Username, profile: &Profile) -> Self {
        let custom = profile.custom.as_ref();
        Self::Profile {
            user: user.to_string(),
            manual: profile.manual.as_str().to_owned(),
            text: custom.map(|custom| custom.text.as_str().to_owned()),
            until: custom.and_then(|custom| custom.until),
        }
    }

    /// The user and profile of a `Profile` bulletin; `None` for others, or
    /// when it does not parse.
    pub fn read_profile(&self) -> Option<(Username, Profile)> {
        let Self::Profile {
            user,
            manual,
            text,
            until,
        } = self
        else {
            return None;
        };
        let custom = match text {
            Some(text) => Some(CustomStatus {
                text: StatusText::parse(text).ok()?,
                until: *until,
            }),
            None => None,
        };
        let profile = Profile {
            manual: Manual::parse(manual)?,
            custom,
        };
        Some((Username::parse(user).ok()?, profile))
    }

    /// The sequence number of state bulletins.
    pub fn seq(&self) -> Option<u64> {
        match self {
            Self::Presence { seq, .. } | Self::UserAdded { seq, .. } => Some(*seq),
            Self::Logout { .. } | Self::Profile { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulletin_built_by_lua_cjson_parses() {
        // cjson writes integers as plain numbers and leaves out nil fields.
        let online: Bulletin =
            serde_json::from_str(r#"{"kind":"presence","online":true,"seq":3,"user":"ann"}"#)
                .unwrap();
        assert_eq!(online.seq(), Some(3));
        let offline: Bulletin = serde_json::from_str(
            r#"{"at":1763683260000,"kind":"presence","online":false,"seq":4,"user":"ann"}"#,
        )
        .unwrap();
        assert!(matches!(
            offline,
            Bulletin::Presence {
                at: Some(1_763_683_260_000),
                ..
            }
        ));
    }

    #[test]
    fn codes_of_two_nodes_combine_into_how_the_user_attends_in_the_cluster() {
        let idle_desktop = Attendance {
            active: false,
            devices: Devices::from_bits(1),
        };
        let active_mobile = Attendance {
            active: true,
            devices: Devices::from_bits(2),
        };
        let both = attendance(code(idle_desktop) | code(active_mobile));
        assert!(both.active);
        assert_eq!(both.devices, Devices::from_bits(3));
        let idle = attendance(code(idle_desktop) | code(idle_desktop));
        assert!(!idle.active, "idle on every node is away");
        assert_eq!(attendance(code(active_mobile)), active_mobile);
    }

    #[test]
    fn a_logout_bulletin_has_no_sequence_number() {
        let logout = Bulletin::Logout {
            user: "ann".into(),
            session: "s".into(),
            origin: "a".into(),
        };
        let text = serde_json::to_string(&logout).unwrap();
        assert_eq!(serde_json::from_str::<Bulletin>(&text).unwrap().seq(), None);
    }
}
