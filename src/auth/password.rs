//! Passwords: the rules a new one must meet.
//!
//! bcrypt itself (deliberately slow: a quarter of a second at cost 12)
//! runs off the event loops, behind a bounded queue, in
//! [`hashing`](super::hashing).

use std::{collections::HashMap, fmt};

pub use super::hashing::HashError;

/// A password that meets the sign-up rules. Its `Debug` never shows it.
pub struct Password(String);

/// Why a new password was refused. The messages are Django's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Nothing was typed.
    #[error("This field is required.")]
    Empty,
    /// Fewer than [`Password::MIN_CHARS`] characters.
    #[error("This password is too short. It must contain at least 8 characters.")]
    TooShort,
    /// Only digits.
    #[error("This password is entirely numeric.")]
    EntirelyNumeric,
    /// The username, or close enough to it to guess.
    #[error("The password is too similar to the username.")]
    TooSimilarToUsername,
    /// bcrypt reads only the first 72 bytes; longer would be silently cut.
    #[error("This password is too long. It must contain at most 72 bytes.")]
    TooLong,
}

impl Password {
    /// Django's `MinimumLengthValidator` default.
    pub const MIN_CHARS: usize = 8;
    /// bcrypt's input limit.
    pub const MAX_BYTES: usize = 72;

    /// Checks a new password against every rule and reports each one it
    /// breaks, as Django's validators do.
    pub fn parse(raw: String, username: &str) -> Result<Self, Vec<PasswordError>> {
        if raw.is_empty() {
            return Err(vec![PasswordError::Empty]);
        }
        let mut errors = Vec::new();
        if too_similar(&raw, username) {
            errors.push(PasswordError::TooSimilarToUsername);
        }
        if raw.chars().count() < Self::MIN_CHARS {
            errors.push(PasswordError::TooShort);
        }
        if raw.chars().all(|c| c.is_ascii_digit()) {
            errors.push(PasswordError::EntirelyNumeric);
        }
        if raw.len() > Self::MAX_BYTES {
            errors.push(PasswordError::TooLong);
        }
        if errors.is_empty() {
            Ok(Self(raw))
        } else {
            Err(errors)
        }
    }

    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// Django's `UserAttributeSimilarityValidator`: the password is refused when
/// `SequenceMatcher.quick_ratio()` against the username, or against any
/// part of it split on non-word characters, reaches 0.7.
fn too_similar(password: &str, username: &str) -> bool {
    const MAX_SIMILARITY: f64 = 0.7;
    let password = password.to_lowercase();
    let username = username.trim().to_lowercase();
    let parts = username
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|part| !part.is_empty())
        .chain(std::iter::once(username.as_str()));
    parts
        .into_iter()
        .any(|part| quick_ratio(part, &password) >= MAX_SIMILARITY)
}

/// Python's `difflib.SequenceMatcher.quick_ratio`: twice the size of the
/// multiset intersection of characters, over the total length.
fn quick_ratio(a: &str, b: &str) -> f64 {
    let total = a.chars().count() + b.chars().count();
    if total == 0 {
        return 1.0;
    }
    let mut available: HashMap<char, usize> = HashMap::new();
    for c in b.chars() {
        *available.entry(c).or_default() += 1;
    }
    let mut matches = 0usize;
    for c in a.chars() {
        if let Some(n) = available.get_mut(&c).filter(|n| **n > 0) {
            *n -= 1;
            matches += 1;
        }
    }
    2.0 * matches as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(password: &str, username: &str) -> Result<Password, Vec<PasswordError>> {
        Password::parse(password.to_owned(), username)
    }

    #[test]
    fn a_long_mixed_password_is_accepted() {
        assert!(parse("johnson123", "michael").is_ok());
    }

    #[test]
    fn an_empty_password_is_required() {
        assert_eq!(parse("", "bob").unwrap_err(), vec![PasswordError::Empty]);
    }

    #[test]
    fn a_password_of_7_chars_is_too_short() {
        assert!(
            parse("abcxyz7", "bob")
                .unwrap_err()
                .contains(&PasswordError::TooShort)
        );
        assert!(parse("abcxyz78", "bob").is_ok());
    }

    #[test]
    fn a_password_of_only_digits_is_rejected() {
        assert_eq!(
            parse("1234567890", "bob").unwrap_err(),
            vec![PasswordError::EntirelyNumeric]
        );
    }

    #[test]
    fn the_username_as_password_is_rejected_ignoring_case() {
        assert!(
            parse("Margaretha", "margaretha")
                .unwrap_err()
                .contains(&PasswordError::TooSimilarToUsername)
        );
    }

    #[test]
    fn a_password_close_to_a_part_of_the_username_is_rejected() {
        assert!(
            parse("johnson99", "michael.johnson")
                .unwrap_err()
                .contains(&PasswordError::TooSimilarToUsername)
        );
    }

    #[test]
    fn a_password_over_72_bytes_is_rejected() {
        assert!(
            parse(&"ab".repeat(37), "bob")
                .unwrap_err()
                .contains(&PasswordError::TooLong)
        );
        assert!(parse(&"ab".repeat(36), "bob").is_ok());
    }

    #[test]
    fn quick_ratio_matches_python() {
        // difflib.SequenceMatcher(None, "abcd", "bcde").quick_ratio() == 0.75
        assert!((quick_ratio("abcd", "bcde") - 0.75).abs() < 1e-9);
        assert!((quick_ratio("", "") - 1.0).abs() < 1e-9);
    }

    #[test]
    fn the_password_is_not_printed_in_debug_output() {
        let password = parse("correct horse", "bob").unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }
}
