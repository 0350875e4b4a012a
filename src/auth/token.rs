//! Random tokens for session keys, CSRF tokens and login ids.

use rand::{Rng, distr::Alphanumeric};

/// A random alphanumeric string of `len` characters from the operating
/// system's CSPRNG-seeded generator (about 5.95 bits per character).
pub fn random(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Compares two secrets in time that depends only on their lengths, so a
/// client cannot learn a token one character at a time.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_requested_length_and_differ() {
        let (a, b) = (random(43), random(43));
        assert_eq!(a.len(), 43);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn equal_secrets_compare_equal_and_others_do_not() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
