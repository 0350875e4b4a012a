//! Bulletins: the messages nodes exchange on the Redis channel.
//!
//! They are not the wire frames: they carry a sequence number, so a node
//! can tell when it missed one (pub/sub delivers at most once) and reload
//! the cluster state. The Lua scripts build `presence` and `user_added`
//! bulletins with `cjson`, inside the same atomic step that changes the
//! state, so sequence numbers follow the order of the changes.

use serde::{Deserialize, Serialize};

/// One message on the channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Bulletin {
    /// A user came online on their first node or went offline on their last.
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
    },
    /// A new account.
    UserAdded {
        /// Position in the cluster's order.
        seq: u64,
        /// The new user.
        user: String,
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
    /// The sequence number of state bulletins.
    pub fn seq(&self) -> Option<u64> {
        match self {
            Self::Presence { seq, .. } | Self::UserAdded { seq, .. } => Some(*seq),
            Self::Logout { .. } => None,
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
