//! The names of the counters, built from parsed values only.
//!
//! A key never holds what a client typed: the username part is a hash of
//! the parsed, folded name, and the address part is an [`AddressBucket`].
//! So every key is short (under 80 bytes) whatever the input, in memory
//! and in Redis alike.

use std::{
    fmt,
    net::{IpAddr, Ipv6Addr},
};

use sha2::{Digest, Sha256};

use crate::auth::Username;

/// The part of a client's address that the limits count: an IPv4 address,
/// or the /64 network of an IPv6 address. One subscriber is usually given
/// a whole /64, and could otherwise take a fresh address for every try.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AddressBucket(Option<IpAddr>);

impl AddressBucket {
    /// Requests with no known peer address, counted together.
    pub const UNKNOWN: Self = Self(None);

    /// The bucket of `ip`; `None` (no peer address) is a bucket of its own.
    pub fn of(ip: Option<IpAddr>) -> Self {
        // An IPv4-mapped IPv6 address is the IPv4 client it maps.
        Self(ip.map(|ip| match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let [a, b, c, d, ..] = v6.segments();
                IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
            }
            v4 => v4,
        }))
    }
}

impl fmt::Display for AddressBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(IpAddr::V6(network)) => write!(f, "{network}/64"),
            Some(IpAddr::V4(address)) => write!(f, "{address}"),
            None => f.write_str("unknown"),
        }
    }
}

/// The name of one counter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ThrottleKey(String);

impl ThrottleKey {
    /// Failed logins of one username from one address.
    pub fn login(username: &Username, from: AddressBucket) -> Self {
        Self(format!("login:{from}:{}", name_digest(&username.key())))
    }

    /// Failed logins from one address, whatever the username.
    pub fn login_address(from: AddressBucket) -> Self {
        Self(format!("login-address:{from}"))
    }

    /// Sign-up attempts from one address.
    pub fn sign_up(from: AddressBucket) -> Self {
        Self(format!("signup:{from}"))
    }

    /// WebSocket upgrades from one address.
    pub fn upgrade(from: AddressBucket) -> Self {
        Self(format!("upgrade:{from}"))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A fixed-size digest of the key, which the in-memory counters are
    /// kept under.
    pub fn digest(&self) -> [u8; 16] {
        let full = Sha256::digest(self.0.as_bytes());
        let mut short = [0; 16];
        short.copy_from_slice(&full[..16]);
        short
    }
}

/// The first 16 bytes of the SHA-256 of a folded name, in hex: stable
/// across nodes, and no way back to the name for someone reading Redis.
fn name_digest(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(ip: &str) -> AddressBucket {
        AddressBucket::of(Some(ip.parse().unwrap()))
    }

    #[test]
    fn ipv6_addresses_of_one_64_share_a_bucket() {
        assert_eq!(bucket("2001:db8:1:2::1"), bucket("2001:db8:1:2:ffff::9"));
        assert_ne!(bucket("2001:db8:1:2::1"), bucket("2001:db8:1:3::1"));
        assert_eq!(bucket("2001:db8:1:2::1").to_string(), "2001:db8:1:2::/64");
    }

    #[test]
    fn ipv4_addresses_are_counted_one_by_one_even_when_mapped_into_ipv6() {
        assert_ne!(bucket("198.51.100.1"), bucket("198.51.100.2"));
        assert_eq!(bucket("::ffff:198.51.100.1"), bucket("198.51.100.1"));
        assert_eq!(bucket("198.51.100.1").to_string(), "198.51.100.1");
    }

    #[test]
    fn login_keys_hold_a_hash_of_the_folded_name_not_the_name() {
        let from = bucket("198.51.100.1");
        let alice = ThrottleKey::login(&Username::parse("Alice").unwrap(), from);
        let again = ThrottleKey::login(&Username::parse("aLICE").unwrap(), from);
        assert_eq!(alice, again);
        assert!(!alice.as_str().to_lowercase().contains("alice"));
        let longest = Username::parse(&"é".repeat(Username::MAX_CHARS)).unwrap();
        let ipv6 = bucket("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
        assert!(ThrottleKey::login(&longest, ipv6).as_str().len() < 80);
    }
}
