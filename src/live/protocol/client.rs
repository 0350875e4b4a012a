//! [`ClientFrame`]: what a client may send, parsed and validated at the
//! boundary, so the session and the hub only ever see valid requests.

use serde::Deserialize;
use serde_json::Value;

use crate::{
    auth::Username,
    live::{
        status::{CustomStatus, Manual, StatusText},
        watchers::MAX_WATCHED,
    },
};

/// The longest a custom status may be set for: a year.
const MAX_CUSTOM_MS: i64 = 366 * 24 * 3600 * 1000;

/// A valid frame from a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientFrame {
    /// Asks for a `pong`, so a client can measure the round trip.
    Ping,
    /// The page became active (input, or shown) or idle.
    Activity {
        /// `true` for active.
        active: bool,
    },
    /// The user chose auto, do not disturb or invisible.
    SetStatus {
        /// The choice.
        manual: Manual,
    },
    /// The user set (or, with `None`, cleared) their custom status.
    SetCustom {
        /// The new custom status.
        custom: Option<CustomStatus>,
    },
    /// The page shows these users: send news about them only.
    Watch {
        /// At most [`MAX_WATCHED`], each a valid username.
        users: Vec<Username>,
    },
}

/// Why a client frame was refused. The reasons never repeat the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Not JSON, or not a frame this server knows.
    #[error("unknown frame")]
    Unknown,
    /// An `activity` frame whose state is neither `active` nor `idle`.
    #[error("activity state must be active or idle")]
    BadActivity,
    /// A status other than `auto`, `dnd` or `invisible`.
    #[error("status must be auto, dnd or invisible")]
    BadStatus,
    /// A custom status text that is too long or holds forbidden characters.
    #[error("custom status must be 1 to 100 characters, without control characters or markup")]
    BadText,
    /// An expiry in the past, or more than a year ahead.
    #[error("custom status expiry must be in the future, and within a year")]
    BadExpiry,
    /// A `watch` frame whose `usernames` is not a list.
    #[error("watch needs usernames, a list of names")]
    BadWatch,
    /// A `watch` frame with more names than a socket may watch.
    #[error("watch takes at most 500 usernames")]
    TooManyWatched,
    /// A `watch` frame with something that is not a valid username.
    #[error("watch usernames must be valid usernames")]
    BadWatchedName,
    /// More frames than the server takes per second.
    #[error("too many frames; slow down")]
    TooFast,
}

/// The frames as JSON, before validation.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Raw {
    Ping,
    Activity {
        state: String,
    },
    SetStatus {
        status: String,
    },
    SetCustom {
        #[serde(default)]
        text: Option<String>,
        #[serde(default)]
        until: Option<i64>,
    },
    Watch {
        #[serde(default)]
        usernames: Value,
    },
}

impl ClientFrame {
    /// Reads and validates a client text frame; `now` (Unix ms) judges a
    /// custom status's expiry.
    pub fn read(text: &str, now: i64) -> Result<Self, Refused> {
        let raw: Raw = serde_json::from_str(text).map_err(|_| Refused::Unknown)?;
        match raw {
            Raw::Ping => Ok(Self::Ping),
            Raw::Activity { state } => match state.as_str() {
                "active" => Ok(Self::Activity { active: true }),
                "idle" => Ok(Self::Activity { active: false }),
                _ => Err(Refused::BadActivity),
            },
            Raw::SetStatus { status } => Manual::parse(&status)
                .map(|manual| Self::SetStatus { manual })
                .ok_or(Refused::BadStatus),
            Raw::SetCustom { text, until } => {
                let text = text.filter(|text| !text.trim().is_empty());
                let Some(text) = text else {
                    return Ok(Self::SetCustom { custom: None });
                };
                let text = StatusText::parse(&text).map_err(|_| Refused::BadText)?;
                if let Some(until) = until
                    && (until <= now || until > now.saturating_add(MAX_CUSTOM_MS))
                {
                    return Err(Refused::BadExpiry);
                }
                Ok(Self::SetCustom {
                    custom: Some(CustomStatus { text, until }),
                })
            }
            Raw::Watch { usernames } => read_watch(usernames),
        }
    }

    /// Reads a client text frame at the current time; `None` for anything
    /// that is not a valid frame.
    pub fn parse(text: &str) -> Option<Self> {
        Self::read(text, crate::db::now_millis()).ok()
    }
}

/// Reads the `usernames` of a `watch` frame.
fn read_watch(usernames: Value) -> Result<ClientFrame, Refused> {
    let Value::Array(names) = usernames else {
        return Err(Refused::BadWatch);
    };
    if names.len() > MAX_WATCHED {
        return Err(Refused::TooManyWatched);
    }
    let users = names
        .iter()
        .map(|name| {
            let name = name.as_str().ok_or(Refused::BadWatchedName)?;
            Username::parse(name).map_err(|_| Refused::BadWatchedName)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ClientFrame::Watch { users })
}
