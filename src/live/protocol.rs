//! The wire format of `/users/`: JSON text frames with a `type`.
//!
//! Server to client:
//!
//! ```json
//! {"type":"snapshot","online":["alice","bob"],"last_seen":{"carol":1763683200000}}
//! {"type":"presence","username":"bob","is_logged_in":true}
//! {"type":"presence","username":"bob","is_logged_in":false,"last_seen_at":1763683260000}
//! {"type":"user_added","username":"carol"}
//! {"type":"pong"}
//! ```
//!
//! The `presence` frame keeps the seed app's two keys, `username` and
//! `is_logged_in`, exactly, so a client written for the seed still works.
//! Extra fields carry when users were last seen (Unix milliseconds): an
//! offline `presence` frame has `last_seen_at`, and the snapshot's
//! `last_seen` has the users this server saw go offline recently, so a
//! page that reconnects after a while shows fresh times.
//!
//! Client to server, only `{"type":"ping"}` means anything; every other
//! text is ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::live::frame::Frame;

/// A frame the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The first frame on every socket: who is online right now.
    Snapshot {
        /// Online usernames, sorted.
        online: Vec<String>,
        /// When recently offline users were last seen.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        last_seen: BTreeMap<String, i64>,
    },
    /// A user came online or went offline.
    Presence {
        /// Whose status changed.
        username: String,
        /// `true` for online.
        is_logged_in: bool,
        /// When an offline user was last seen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seen_at: Option<i64>,
    },
    /// A new account was created (it starts offline).
    UserAdded {
        /// The new user's name.
        username: String,
    },
    /// The answer to a client's `ping`.
    Pong,
}

/// A frame a client may send.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Asks for a `pong`, so a client can measure the round trip.
    Ping,
}

impl ClientFrame {
    /// Reads a client text frame; `None` for anything that is not a known
    /// frame, which the server ignores.
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_presence_frame_keeps_the_seed_keys() {
        let frame = Frame::from(&ServerFrame::Presence {
            username: "bob".into(),
            is_logged_in: true,
            last_seen_at: None,
        });
        let value: serde_json::Value = serde_json::from_str(frame.as_str()).unwrap();
        assert_eq!(value["type"], "presence");
        assert_eq!(value["username"], "bob");
        assert_eq!(value["is_logged_in"], true);
        assert!(value.get("last_seen_at").is_none());
    }

    #[test]
    fn an_offline_presence_frame_says_when_the_user_was_last_seen() {
        let frame = Frame::from(&ServerFrame::Presence {
            username: "bob".into(),
            is_logged_in: false,
            last_seen_at: Some(42),
        });
        assert_eq!(
            frame.as_str(),
            r#"{"type":"presence","username":"bob","is_logged_in":false,"last_seen_at":42}"#
        );
    }

    #[test]
    fn a_snapshot_frame_lists_the_online_users() {
        let frame = Frame::from(&ServerFrame::Snapshot {
            online: vec!["alice".into()],
            last_seen: BTreeMap::from([("bob".into(), 7)]),
        });
        assert_eq!(
            frame.as_str(),
            r#"{"type":"snapshot","online":["alice"],"last_seen":{"bob":7}}"#
        );
    }

    #[test]
    fn user_added_and_pong_have_their_types() {
        let added = Frame::from(&ServerFrame::UserAdded {
            username: "carol".into(),
        });
        assert_eq!(
            added.as_str(),
            r#"{"type":"user_added","username":"carol"}"#
        );
        assert_eq!(
            Frame::from(&ServerFrame::Pong).as_str(),
            r#"{"type":"pong"}"#
        );
    }

    #[test]
    fn a_ping_is_understood_and_anything_else_is_ignored() {
        assert_eq!(
            ClientFrame::parse(r#"{"type":"ping"}"#),
            Some(ClientFrame::Ping)
        );
        for other in [
            r#"{"type":"presence","username":"bob","is_logged_in":false}"#,
            r#"{"type":"PING"}"#,
            "ping",
            "",
            "{",
        ] {
            assert_eq!(ClientFrame::parse(other), None, "{other}");
        }
    }
}
