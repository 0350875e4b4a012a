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

use std::{fmt, sync::Arc};

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// A kind of device a connection is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Device {
    /// A desktop or laptop browser.
    Desktop,
    /// A phone or tablet browser.
    Mobile,
}

impl Device {
    /// The kind of device a request comes from, by its `User-Agent`.
    pub fn of_request(req: &actix_web::HttpRequest) -> Self {
        req.headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|agent| agent.to_str().ok())
            .map_or(Self::Desktop, Self::from_user_agent)
    }

    /// The kind of device a `User-Agent` names. Browsers on phones put
    /// "Mobi" in it (MDN's advice for telling them apart).
    pub fn from_user_agent(user_agent: &str) -> Self {
        if user_agent.contains("Mobi") || user_agent.contains("Android") {
            Self::Mobile
        } else {
            Self::Desktop
        }
    }
}

/// A set of kinds of device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Devices(u8);

impl Devices {
    /// No device at all.
    pub const NONE: Self = Self(0);

    /// The set holding `device`.
    pub fn of(device: Device) -> Self {
        Self(match device {
            Device::Desktop => 1,
            Device::Mobile => 2,
        })
    }

    /// Both sets together.
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether `device` is in the set.
    pub fn contains(self, device: Device) -> bool {
        self.union(Self::of(device)) == self
    }

    /// The set as bits (desktop 1, mobile 2), for Redis and the database.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// The set of `bits`, ignoring unknown ones.
    pub fn from_bits(bits: u8) -> Self {
        Self::from_bits_const(bits)
    }

    /// [`Devices::from_bits`], for constants.
    pub const fn from_bits_const(bits: u8) -> Self {
        Self(bits & 3)
    }

    /// The names on the wire, in a fixed order.
    pub fn names(self) -> Vec<&'static str> {
        [(Device::Desktop, "desktop"), (Device::Mobile, "mobile")]
            .into_iter()
            .filter(|(device, _)| self.contains(*device))
            .map(|(_, name)| name)
            .collect()
    }
}

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

/// The text of a custom status: 1 to 100 characters after NFC
/// normalisation and trimming, emoji welcome, with no control characters,
/// no bidirectional overrides and no markup.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct StatusText(Arc<str>);

/// Why a custom status text was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StatusTextError {
    /// Nothing but spaces.
    #[error("the custom status is empty")]
    Empty,
    /// Over [`StatusText::MAX_CHARS`].
    #[error("the custom status has more than 100 characters")]
    TooLong,
    /// A control character, a bidirectional override, or `<` or `>`.
    #[error("the custom status may not hold control characters or markup")]
    Forbidden,
}

impl StatusText {
    /// The longest custom status.
    pub const MAX_CHARS: usize = 100;

    /// Parses what a user typed.
    pub fn parse(raw: &str) -> Result<Self, StatusTextError> {
        // Bounded before normalising, so a huge input costs nothing.
        if raw.chars().nth(Self::MAX_CHARS * 4).is_some() {
            return Err(StatusTextError::TooLong);
        }
        let text: String = raw.nfc().collect();
        let text = text.trim();
        if text.is_empty() {
            return Err(StatusTextError::Empty);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(StatusTextError::TooLong);
        }
        let forbidden = |c: char| {
            c.is_control()
                || matches!(c, '<' | '>' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        };
        if text.chars().any(forbidden) {
            return Err(StatusTextError::Forbidden);
        }
        Ok(Self(Arc::from(text)))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for StatusText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// A custom status, shown under the user's name until it expires.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct CustomStatus {
    /// What it says.
    pub text: StatusText,
    /// When it expires (Unix ms); `None` for never.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
}

impl CustomStatus {
    /// Whether it still shows at `now` (Unix ms).
    pub fn shows_at(&self, now: i64) -> bool {
        self.until.is_none_or(|until| now < until)
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
