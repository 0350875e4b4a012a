//! The `Username` newtype: a name that has been parsed, never re-checked.
//!
//! One person, one name: what is typed is first brought to Unicode's NFKC
//! form, as Django's `normalize_username` does, so that a fullwidth
//! `ａｌｉｃｅ` or a ligature is the plain name it looks like. Names are
//! unique ignoring case after that ([`Username::key`]).

use std::{fmt, sync::Arc};

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// A valid username: 1 to 150 characters of letters, digits and `@ . + - _`
/// (Django's `UnicodeUsernameValidator`), in NFKC form. Cheap to clone,
/// because the hub keeps one per connection and puts one in every event.
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

    /// Parses what a user typed: normalised to NFKC, with surrounding
    /// whitespace dropped as Django's form fields do, and then checked.
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let normal = nfkc(raw.trim());
        let name = normal.trim();
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

    /// The name as typed, in NFKC form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The folded form under which names are unique.
    pub fn key(&self) -> String {
        fold(&self.0)
    }
}

/// The NFKC form of `text`; ASCII is its own.
fn nfkc(text: &str) -> String {
    if text.is_ascii() {
        text.to_owned()
    } else {
        text.nfkc().collect()
    }
}

/// The folded form of any string, for look-ups that ignore case and
/// compatibility forms: lower case, in NFKC. Lowering can leave a string
/// that normalises further and vice versa, so both are applied until
/// neither changes anything (twice at most for any real name), which
/// makes `fold(fold(x)) == fold(x)`.
pub fn fold(name: &str) -> String {
    let trimmed = name.trim();
    if trimmed.is_ascii() {
        return trimmed.to_ascii_lowercase();
    }
    // NFKC can also turn a character into a space and a combining mark
    // (´ is " \u{301}"), so each step trims again.
    let mut folded = nfkc(trimmed).trim().to_owned();
    for _ in 0..4 {
        let next = nfkc(&folded.to_lowercase()).trim().to_owned();
        if next == folded {
            break;
        }
        folded = next;
    }
    folded
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
    fn a_fullwidth_name_is_stored_as_the_plain_name() {
        assert_eq!(Username::parse("ａｌｉｃｅ").unwrap().as_str(), "alice");
        assert_eq!(Username::parse("Ｂｏｂ").unwrap().as_str(), "Bob");
    }

    #[test]
    fn compatibility_forms_share_a_key_with_the_plain_name() {
        let plain = Username::parse("office").unwrap();
        for twin in ["ｏｆｆｉｃｅ", "OFFICE", "oﬃce", "ＯＦＦＩＣＥ"] {
            assert_eq!(Username::parse(twin).unwrap().key(), plain.key(), "{twin}");
        }
    }

    #[test]
    fn a_composed_and_a_decomposed_accent_are_one_name() {
        let composed = Username::parse("jos\u{e9}").unwrap();
        let decomposed = Username::parse("jose\u{301}").unwrap();
        assert_eq!(composed, decomposed);
        assert_eq!(composed.as_str(), "jos\u{e9}");
    }

    #[test]
    fn the_length_is_checked_after_normalisation() {
        // U+FDFA, one character, is eighteen in NFKC.
        assert_eq!(
            Username::parse(&"\u{fdfa}".repeat(9)),
            Err(UsernameError::TooLong(162))
        );
        // "ﬃ" is three letters once normalised: 50 of them are 150.
        assert!(Username::parse(&"ﬃ".repeat(50)).is_ok());
        assert_eq!(
            Username::parse(&format!("{}a", "ﬃ".repeat(50))),
            Err(UsernameError::TooLong(151))
        );
    }

    #[test]
    fn an_ideographic_space_around_a_name_is_dropped_like_any_space() {
        assert_eq!(
            Username::parse("\u{3000}bob\u{3000}").unwrap().as_str(),
            "bob"
        );
    }

    #[test]
    fn folding_is_idempotent_on_tricky_letters() {
        for name in [
            "İstanbul",
            "ǅemal",
            "ℌello",
            "Straße",
            "ΣΊΣΥΦΟΣ",
            "ａＢｃ",
            "´",
        ] {
            let once = fold(name);
            assert_eq!(fold(&once), once, "{name}");
        }
    }

    proptest::proptest! {
        #[test]
        fn folding_any_string_twice_is_folding_it_once(name in "\\PC{0,40}") {
            let once = fold(&name);
            proptest::prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn a_parsed_name_parses_to_itself(raw in "\\PC{0,40}") {
            if let Ok(name) = Username::parse(&raw) {
                proptest::prop_assert_eq!(Username::parse(name.as_str()), Ok(name));
            }
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
