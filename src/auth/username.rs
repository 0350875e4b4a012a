//! The `Username` newtype: a name that has been parsed, never re-checked.

use std::{fmt, sync::Arc};

use serde::Serialize;

/// A valid username: 1 to 150 characters of letters, digits and `@ . + - _`
/// (Django's `UnicodeUsernameValidator`). Cheap to clone, because the hub
/// keeps one per connection and puts one in every event.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Username(Arc<str>);

/// Why a username was refused. The messages are Django's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    /// Nothing was typed.
    #[error("This field is required.")]
    Empty,
    /// More than [`Username::MAX_CHARS`] characters.
    #[error("Ensure this value has at most 150 characters (it has {0}).")]
    TooLong(usize),
    /// A character outside letters, digits and `@ . + - _`.
    #[error(
        "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
    )]
    InvalidCharacter,
}

impl Username {
    /// The longest name Django's `User` model accepts.
    pub const MAX_CHARS: usize = 150;

    /// Parses what a user typed. Surrounding whitespace is dropped, as
    /// Django's form fields do.
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(UsernameError::Empty);
        }
        let chars = name.chars().count();
        if chars > Self::MAX_CHARS {
            return Err(UsernameError::TooLong(chars));
        }
        if !name.chars().all(is_username_char) {
            return Err(UsernameError::InvalidCharacter);
        }
        Ok(Self(Arc::from(name)))
    }

    /// The name as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form under which names are unique.
    pub fn key(&self) -> String {
        fold(&self.0)
    }
}

/// The case-folded form of any string, for case-insensitive look-ups.
pub fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}

fn is_username_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '@' | '.' | '+' | '-' | '_')
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_name_is_accepted() {
        assert_eq!(Username::parse("michael").unwrap().as_str(), "michael");
    }

    #[test]
    fn all_the_allowed_punctuation_is_accepted() {
        assert!(Username::parse("a.b+c-d_e@f").is_ok());
    }

    #[test]
    fn letters_from_any_alphabet_are_accepted() {
        assert!(Username::parse("José_Ñandú").is_ok());
        assert!(Username::parse("Дмитрий").is_ok());
    }

    #[test]
    fn surrounding_whitespace_is_dropped() {
        assert_eq!(Username::parse("  bob ").unwrap().as_str(), "bob");
    }

    #[test]
    fn an_empty_username_is_rejected() {
        assert_eq!(Username::parse("   "), Err(UsernameError::Empty));
    }

    #[test]
    fn a_username_of_150_chars_is_accepted() {
        assert!(Username::parse(&"é".repeat(150)).is_ok());
    }

    #[test]
    fn a_username_longer_than_150_chars_is_rejected() {
        assert_eq!(
            Username::parse(&"a".repeat(151)),
            Err(UsernameError::TooLong(151))
        );
    }

    #[test]
    fn a_username_with_a_space_or_symbol_is_rejected() {
        for bad in [
            "bob smith",
            "bob!",
            "<script>",
            "a/b",
            "tab\there",
            "null\0",
        ] {
            assert_eq!(
                Username::parse(bad),
                Err(UsernameError::InvalidCharacter),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn names_differing_only_in_case_share_a_key() {
        let a = Username::parse("Alice").unwrap();
        let b = Username::parse("aLICE").unwrap();
        assert_eq!(a.key(), b.key());
        assert_ne!(a, b);
    }
}
