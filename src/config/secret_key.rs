//! `SECRET_KEY`: the secret that signs cookies, refused when short.

use std::{fmt, str::FromStr};

/// The secret that signs the session and CSRF cookies. Its `Debug` never shows it.
#[derive(Clone)]
pub struct SecretKey(String);

/// Why a `SECRET_KEY` was refused.
#[derive(Debug, thiserror::Error)]
#[error("SECRET_KEY must be at least {min} bytes long (it has {len})", min = SecretKey::MIN_LEN)]
pub struct SecretKeyTooShort {
    len: usize,
}

impl SecretKey {
    /// Shorter keys could be guessed; the cookie signer needs 32 bytes.
    pub const MIN_LEN: usize = 32;

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl FromStr for SecretKey {
    type Err = SecretKeyTooShort;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() < Self::MIN_LEN {
            return Err(SecretKeyTooShort { len: s.len() });
        }
        Ok(Self(s.to_owned()))
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_key_shorter_than_32_bytes_is_rejected() {
        assert!("short".parse::<SecretKey>().is_err());
        assert!("x".repeat(32).parse::<SecretKey>().is_ok());
    }

    #[test]
    fn the_secret_key_is_not_printed_in_debug_output() {
        let key: SecretKey = "s".repeat(40).parse().unwrap();
        assert!(!format!("{key:?}").contains("sss"));
    }
}
