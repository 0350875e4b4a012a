//! [`Device`] and [`Devices`]: the kinds of device a user is connected
//! from, told apart by each connection's `User-Agent`.

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
