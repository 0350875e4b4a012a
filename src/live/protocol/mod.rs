//! The wire format of `/users/`: JSON text frames with a `type`.
//!
//! Server to client:
//!
//! ```json
//! {"type":"snapshot","online":["alice","bob"],"last_seen":{"carol":1763683200000},
//!  "users":{"alice":{"status":"online","devices":["desktop"]},
//!           "bob":{"status":"dnd","custom":{"text":"🎧 focus","until":1763690400000},"devices":["mobile"]}}}
//! {"type":"presence","username":"bob","is_logged_in":true,"status":"away","devices":["desktop"]}
//! {"type":"presence","username":"bob","is_logged_in":true,"status":"online","custom":{"text":"lunch"},"devices":["desktop","mobile"]}
//! {"type":"presence","username":"bob","is_logged_in":false,"status":"offline","last_seen_at":1763683260000}
//! {"type":"user_added","username":"carol"}
//! {"type":"counts","online":9120,"away":640,"dnd":88}
//! {"type":"pong"}
//! {"type":"error","reason":"unknown status"}
//! ```
//!
//! The `presence` frame keeps the seed app's two keys, `username` and
//! `is_logged_in`, exactly, so a client written for the seed still works:
//! `is_logged_in` is `true` for `online`, `away` and `dnd`, `false` for
//! `offline`. A change of status alone (online to away) is a `presence`
//! frame with the same `is_logged_in`. The rest is additive:
//!
//! - `status`: `online`, `away`, `dnd` or `offline`; a user's own sockets
//!   also see `invisible` when they chose to be, which nobody else ever
//!   sees (others see them `offline`);
//! - `custom`: the custom status (`text`, and `until` in Unix ms if it
//!   expires), for users who are not offline;
//! - `devices`: the kinds of device a user is online from;
//! - `last_seen_at` (Unix ms): when an offline user was last seen. The
//!   snapshot's `last_seen` has the users this server saw go offline
//!   recently, and its `users` the status of everyone in `online`.
//!
//! Client to server (see [`ClientFrame`]):
//!
//! ```json
//! {"type":"ping"}
//! {"type":"activity","state":"active"}
//! {"type":"activity","state":"idle"}
//! {"type":"set_status","status":"dnd"}
//! {"type":"set_custom","text":"🍜 lunch","until":1763690400000}
//! {"type":"set_custom","text":null}
//! {"type":"watch","usernames":["alice","bob","carol"]}
//! ```
//!
//! Each is validated: a bad one gets an `error` frame back and changes
//! nothing. A frame can only ever change its own user's status.
//!
//! ## Watching
//!
//! A socket starts on the full feed: every `presence` and `user_added`
//! frame, as the seed sent them. A page that shows only some users sends
//! `watch` with their names (at most 500, each a valid username; an empty
//! list is allowed), and again, with the new list, whenever what it shows
//! changes. From its first `watch` on, the socket gets:
//!
//! - `presence` frames only about the users in its latest list (and its
//!   own user's self frames, when invisible); no `user_added`;
//! - in answer to each `watch`, one `presence` frame per user who was not
//!   in the previous list, with what that user is shown as now (offline
//!   users too, with `last_seen_at` when this server knows it), so the
//!   page never shows a stale status; the answer to the first `watch`
//!   then ends with a `counts` frame;
//! - `counts`: the users online, away and in do not disturb across the
//!   whole service, at most once a second and only when they changed.
//!
//! ```json
//! → {"type":"watch","usernames":["alice","dave"]}
//! ← {"type":"presence","username":"alice","is_logged_in":true,"status":"online","devices":["desktop"]}
//! ← {"type":"presence","username":"dave","is_logged_in":false,"status":"offline","last_seen_at":1763683260000}
//! ← {"type":"counts","online":9120,"away":640,"dnd":88}
//! → {"type":"watch","usernames":["alice","erin"]}
//! ← {"type":"presence","username":"erin","is_logged_in":true,"status":"away","devices":["mobile"]}
//! → {"type":"watch","usernames":"alice"}
//! ← {"type":"error","reason":"watch needs usernames, a list of names"}
//! ```
//!
//! A `watch` counts against the socket's frame budget like any frame. A
//! list that is not a list of strings, holds more than 500 names or a name
//! that is not a valid username is refused with an `error` frame and the
//! previous list stays. There is no way back to the full feed but a new
//! socket.

mod client;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use self::client::{ClientFrame, Refused};
pub use crate::live::frame::Frame;
use crate::live::status::{CustomStatus, Presence};

/// A frame the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The first frame on every socket: who is not offline right now.
    Snapshot {
        /// Usernames of everyone online, away or in do not disturb, sorted.
        online: Vec<String>,
        /// When recently offline users were last seen.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        last_seen: BTreeMap<String, i64>,
        /// The status of everyone in `online`.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        users: BTreeMap<String, UserStatus>,
    },
    /// A user's status changed.
    Presence {
        /// Whose status changed.
        username: String,
        /// The seed's flag: `true` for online, away and do not disturb.
        is_logged_in: bool,
        /// `online`, `away`, `dnd`, `offline` (or `invisible`, to the
        /// user themselves).
        #[serde(default)]
        status: String,
        /// The custom status, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        custom: Option<CustomWire>,
        /// The kinds of device the user is on.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        devices: Vec<String>,
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
    /// How many users are online, away and in do not disturb, cluster-wide:
    /// sent to watching sockets, at most once a second, when they change.
    Counts {
        /// Shown online.
        online: usize,
        /// Shown away.
        away: usize,
        /// Shown in do not disturb.
        dnd: usize,
    },
    /// A client frame was refused, and changed nothing.
    Error {
        /// Why, in words that never repeat the client's input.
        reason: String,
    },
}

/// One user's status in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserStatus {
    /// `online`, `away` or `dnd`.
    pub status: String,
    /// The custom status, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<CustomWire>,
    /// The kinds of device the user is on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<String>,
}

/// A custom status on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomWire {
    /// What it says.
    pub text: String,
    /// When it expires (Unix ms), if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
}

impl From<&CustomStatus> for CustomWire {
    fn from(custom: &CustomStatus) -> Self {
        Self {
            text: custom.text.as_str().to_owned(),
            until: custom.until,
        }
    }
}

impl From<&Presence> for UserStatus {
    fn from(presence: &Presence) -> Self {
        Self {
            status: presence.status.as_str().to_owned(),
            custom: presence.custom.as_ref().map(CustomWire::from),
            devices: presence
                .devices
                .names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
