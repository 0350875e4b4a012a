//! The wire format of `/users/`: JSON text frames with a `type`.
//!
//! # Server to client
//!
//! **`snapshot`**, the first frame on every socket: everyone who is not
//! offline (`online`, sorted, as the seed had it), the last-seen times of
//! users this server saw go offline lately, and the status of everyone in
//! `online`:
//!
//! ```json
//! {"type":"snapshot","online":["alice","bob"],"last_seen":{"carol":1763683200000},
//!  "users":{"alice":{"status":"online","devices":["desktop"]},
//!           "bob":{"status":"dnd","custom":{"text":"🎧 focus","until":1763690400000},"devices":["mobile"]}}}
//! ```
//!
//! **`presence`**, a user's status changed. It keeps the seed app's two
//! keys, `username` and `is_logged_in`, exactly, so a client written for
//! the seed still works: `is_logged_in` is `true` for `online`, `away` and
//! `dnd`, `false` for `offline`. A change of status alone (online to away)
//! is a `presence` frame with the same `is_logged_in`. The rest is
//! additive:
//!
//! - `status`: `online`, `away`, `dnd` or `offline`;
//! - `custom`: the custom status (`text`, and `until` in Unix ms if it
//!   expires), absent when there is none and always for offline users;
//! - `devices`: the kinds of device (`desktop`, `mobile`) a user is on,
//!   absent when offline;
//! - `last_seen_at` (Unix ms): when an offline user was last seen.
//!
//! ```json
//! {"type":"presence","username":"bob","is_logged_in":true,"status":"online","devices":["desktop"]}
//! {"type":"presence","username":"bob","is_logged_in":true,"status":"away","devices":["desktop"]}
//! {"type":"presence","username":"bob","is_logged_in":true,"status":"dnd","custom":{"text":"🍜 lunch"},"devices":["desktop","mobile"]}
//! {"type":"presence","username":"bob","is_logged_in":true,"status":"online","custom":{"text":"🍜 lunch","until":1763690400000},"devices":["mobile"]}
//! {"type":"presence","username":"bob","is_logged_in":false,"status":"offline","last_seen_at":1763683260000}
//! ```
//!
//! A user's own sockets, and only they, also get `invisible` when they
//! chose to be: everyone else sees them `offline`, and sees nothing at
//! all of their later coming and going. The frame goes right after the
//! snapshot, and after anything that changes how they see themselves:
//!
//! ```json
//! {"type":"presence","username":"bob","is_logged_in":false,"status":"invisible","devices":["desktop"]}
//! ```
//!
//! **`user_added`**, a new account exists (it starts offline):
//!
//! ```json
//! {"type":"user_added","username":"carol"}
//! ```
//!
//! **`pong`**, the answer to a `ping`:
//!
//! ```json
//! {"type":"pong"}
//! ```
//!
//! **`error`**, a client frame was refused and changed nothing. The reason
//! is one of [`Refused`]'s messages and never repeats the input:
//!
//! ```json
//! {"type":"error","reason":"unknown frame"}
//! {"type":"error","reason":"activity state must be active or idle"}
//! {"type":"error","reason":"status must be auto, dnd or invisible"}
//! {"type":"error","reason":"custom status must be 1 to 100 characters, without control characters or markup"}
//! {"type":"error","reason":"custom status expiry must be in the future, and within a year"}
//! {"type":"error","reason":"watch needs usernames, a list of names"}
//! ```
//!
//! # Client to server (see [`ClientFrame`])
//!
//! **`ping`**, asks for a `pong`:
//!
//! ```json
//! {"type":"ping"}
//! ```
//!
//! **`activity`**, the page became active (input, or shown again) or idle
//! (no input, or hidden, for `PRESENCE_IDLE_MS`). A user is `away` when
//! every one of their sockets is idle; a page sends a transition once,
//! not per keystroke:
//!
//! ```json
//! {"type":"activity","state":"active"}
//! {"type":"activity","state":"idle"}
//! ```
//!
//! **`set_status`**, the user picks `auto` (online or away as they come
//! and go), `dnd` or `invisible`. It is stored on their row and reaches
//! their other tabs at once:
//!
//! ```json
//! {"type":"set_status","status":"auto"}
//! {"type":"set_status","status":"dnd"}
//! {"type":"set_status","status":"invisible"}
//! ```
//!
//! **`set_custom`**, the user sets a custom status (1 to 100 characters,
//! emoji welcome, no control characters or markup) until a time in Unix
//! ms within a year, or forever (`until` `null` or absent); or clears it
//! (`text` `null`, absent or blank):
//!
//! ```json
//! {"type":"set_custom","text":"🍜 lunch","until":1763690400000}
//! {"type":"set_custom","text":"🎧 focus","until":null}
//! {"type":"set_custom","text":null}
//! ```
//!
//! Each is validated: a bad one gets an `error` frame back and changes
//! nothing. A frame can only ever change its own user's status: the hub
//! knows whose socket it came from, and any name in it is ignored. Frames
//! beyond a small budget (five a second after a burst of ten) are ignored,
//! and a flood closes the socket with 1008 (see `session::budget`).
//!
//! ## Watching
//!
//! A socket starts on the full feed: every `presence` and `user_added`
//! frame, as the seed sent them. A page that shows only some users sends
//! `watch` with their names (at most 500, each a valid username; an empty
//! list is allowed), and again, with the new list, whenever what it shows
//! changes. From its first `watch` on, the socket gets:
//!
//! - `presence` frames only about the users in its latest list and about
//!   its own user (a status set in another tab);
//! - every `user_added`, as before: new accounts are rare, and a page
//!   that lists the whole directory adds them (and then watches them);
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
//! ```
//!
//! A page that will watch from the start opens `/users/?watch`. Its
//! snapshot then names nobody, so it costs the same with 100,000 users
//! online as with none; the counts follow it, and the answers to its
//! `watch` frames say who is what. It never gets the full feed.
//!
//! ```json
//! ← {"type":"snapshot","online":[],"watching":true}
//! ← {"type":"counts","online":9120,"away":640,"dnd":88}
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
        /// The socket was opened with `?watch`: this snapshot names nobody,
        /// and the answers to its `watch` frames say who is what.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        watching: bool,
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
#[cfg(test)]
mod watch_tests;
