//! Rich presence as plain types.
//!
//! Three facts, kept apart because they come from different places:
//!
//! - [`Attendance`]: how a user is connected, from their sockets: whether
//!   any connection is active (not idle), and the kinds of device they are
//!   on. A user with no attendance is not connected at all.
//! - [`Profile`]: what the user chose: auto, do not disturb or invisible
//!   ([`Manual`]), and a [`CustomStatus`] with an optional expiry. It lives
//!   in the database.
//! - [`Presence`]: what others see, computed from the two: online, away,
//!   do not disturb or offline, with the custom status and the devices of
//!   everyone who is not offline. An invisible user is offline to others;
//!   only they see themselves as [`Status::Invisible`].

mod custom;
mod device;

use serde::{Deserialize, Serialize};

pub use self::{
    custom::{CustomStatus, StatusText, StatusTextError},
    device::{Device, Devices},
};
/// How a connected user attends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Attendance {
    /// Whether any of their connections is active.
    pub active: bool,
    /// The kinds of device they are connected from.
    pub devices: Devices,
}

/// What a user chose for their status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Manual {
    /// Online or away as they come and go.
    #[default]
    Auto,
    /// Do not disturb.
    Dnd,
    /// Offline to everyone else.
    Invisible,
}

impl Manual {
    /// The name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Dnd => "dnd",
            Self::Invisible => "invisible",
        }
    }

    /// The choice named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "auto" => Some(Self::Auto),
            "dnd" => Some(Self::Dnd),
            "invisible" => Some(Self::Invisible),
            _ => None,
        }
    }
}
/// What a user chose.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Profile {
    /// Auto, do not disturb or invisible.
    pub manual: Manual,
    /// Their custom status, which may have expired.
    pub custom: Option<CustomStatus>,
}

impl Profile {
    /// Whether the user chose anything at all: only such profiles are
    /// kept for users who are not online.
    pub fn is_chosen(&self) -> bool {
        *self != Self::default()
    }

    /// The custom status, if it still shows at `now`.
    pub fn custom_at(&self, now: i64) -> Option<&CustomStatus> {
        self.custom.as_ref().filter(|custom| custom.shows_at(now))
    }
}

/// A status as others see it (and, for [`Status::Invisible`], as the user
/// sees themselves).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// At least one connection is active.
    Online,
    /// Connected, but every connection is idle.
    Away,
    /// Do not disturb.
    Dnd,
    /// Not connected, or invisible to others.
    Offline,
    /// Connected and invisible: only the user sees this.
    Invisible,
}

impl Status {
    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Away => "away",
            Self::Dnd => "dnd",
            Self::Offline => "offline",
            Self::Invisible => "invisible",
        }
    }

    /// The seed's `is_logged_in`: true for online, away and do not disturb.
    pub fn is_logged_in(self) -> bool {
        matches!(self, Self::Online | Self::Away | Self::Dnd)
    }
}

/// What a user's page shows about one user.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Presence {
    /// The status.
    pub status: Status,
    /// The custom status, for users who are not offline.
    pub custom: Option<CustomStatus>,
    /// The kinds of device, for users who are not offline.
    pub devices: Devices,
}

impl Presence {
    /// An offline user.
    pub const OFFLINE: Self = Self {
        status: Status::Offline,
        custom: None,
        devices: Devices::NONE,
    };

    /// What everyone else sees at `now`.
    pub fn public(attendance: Option<Attendance>, profile: &Profile, now: i64) -> Self {
        match attendance {
            Some(attendance) if profile.manual != Manual::Invisible => {
                Self::shown(attendance, profile, now, false)
            }
            _ => Self::OFFLINE,
        }
    }

    /// What the user sees of themselves at `now`: the same as everyone,
    /// except that an invisible user sees that they are.
    pub fn seen_by_self(attendance: Option<Attendance>, profile: &Profile, now: i64) -> Self {
        match attendance {
            Some(attendance) => Self::shown(attendance, profile, now, true),
            None => Self::OFFLINE,
        }
    }

    fn shown(attendance: Attendance, profile: &Profile, now: i64, by_self: bool) -> Self {
        let status = match profile.manual {
            Manual::Invisible if by_self => Status::Invisible,
            Manual::Invisible => Status::Offline,
            Manual::Dnd => Status::Dnd,
            Manual::Auto if attendance.active => Status::Online,
            Manual::Auto => Status::Away,
        };
        Self {
            status,
            custom: profile.custom_at(now).cloned(),
            devices: attendance.devices,
        }
    }
}

#[cfg(test)]
mod tests;
