//! Django's per-response masking of the CSRF secret, against BREACH.
//!
//! A page compressed over HTTPS leaks, through its size, whatever secret
//! it repeats byte for byte. So no page carries the secret itself: each
//! carries `mask + cipher`, where the mask is fresh random characters and
//! each cipher character is the secret's shifted by the mask's, in an
//! alphabet of 62. Every page then shows a different token, and every one
//! of them unmasks to the same secret. The format is Django's
//! (`_mask_cipher_secret`), so its tokens and ours look alike.

use crate::auth::token;

/// Django's `CSRF_ALLOWED_CHARS`: letters and digits, in this order.
const ALPHABET: &[u8; 62] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Characters in a secret (Django's `CSRF_SECRET_LENGTH`).
pub const SECRET_LEN: usize = 32;
/// Characters in a masked token: the mask, then the cipher.
pub const TOKEN_LEN: usize = 2 * SECRET_LEN;

/// A fresh random secret.
pub fn new_secret() -> String {
    token::random(SECRET_LEN)
}

/// Whether `text` has the shape of a secret.
pub fn is_secret(text: &str) -> bool {
    text.len() == SECRET_LEN && text.bytes().all(|byte| position(byte).is_some())
}

/// The secret under a fresh random mask.
pub fn mask(secret: &str) -> String {
    let mask = token::random(SECRET_LEN);
    let cipher: String = secret
        .bytes()
        .zip(mask.bytes())
        .map(|(s, m)| shift(s, m, |a, b| a + b))
        .collect();
    mask + &cipher
}

/// The secret a masked token carries, or `None` when it is not one.
pub fn unmask(token: &str) -> Option<String> {
    if token.len() != TOKEN_LEN || !token.bytes().all(|byte| position(byte).is_some()) {
        return None;
    }
    let (mask, cipher) = token.split_at(SECRET_LEN);
    Some(
        cipher
            .bytes()
            .zip(mask.bytes())
            .map(|(c, m)| shift(c, m, |a, b| a + ALPHABET.len() - b))
            .collect(),
    )
}

/// `ALPHABET[combine(position(a), position(b)) % 62]`, for two characters
/// already known to be in the alphabet.
fn shift(a: u8, b: u8, combine: fn(usize, usize) -> usize) -> char {
    let (a, b) = (position(a).unwrap_or(0), position(b).unwrap_or(0));
    char::from(ALPHABET[combine(a, b) % ALPHABET.len()])
}

fn position(byte: u8) -> Option<usize> {
    ALPHABET.iter().position(|&c| c == byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_secret_unmasks_to_itself() {
        let secret = new_secret();
        let token = mask(&secret);
        assert_eq!(token.len(), TOKEN_LEN);
        assert_eq!(unmask(&token).as_deref(), Some(secret.as_str()));
    }

    #[test]
    fn each_masking_of_one_secret_differs() {
        let secret = new_secret();
        assert_ne!(mask(&secret), mask(&secret));
    }

    #[test]
    fn the_mask_of_first_letters_leaves_the_secret_as_it_is() {
        let secret = new_secret();
        let token = format!("{}{secret}", "a".repeat(SECRET_LEN));
        assert_eq!(unmask(&token), Some(secret));
    }

    #[test]
    fn django_masks_the_same_way() {
        // Django 5: _unmask_cipher_token("b" * 32 + "b" * 32) == "a" * 32,
        // and the mask "9…" shifts "a" to "9".
        assert_eq!(unmask(&"b".repeat(64)), Some("a".repeat(32)));
        assert_eq!(
            unmask(&format!("{}{}", "9".repeat(32), "9".repeat(32))),
            Some("a".repeat(32))
        );
    }

    #[test]
    fn tokens_of_the_wrong_length_or_alphabet_are_refused() {
        assert_eq!(unmask(""), None);
        assert_eq!(unmask(&"a".repeat(63)), None);
        assert_eq!(unmask(&"a".repeat(65)), None);
        assert_eq!(unmask(&format!("{}-", "a".repeat(63))), None);
        assert_eq!(unmask(&"é".repeat(32)), None);
    }

    #[test]
    fn only_secrets_of_32_letters_and_digits_pass_as_secrets() {
        assert!(is_secret(&new_secret()));
        assert!(!is_secret(&"a".repeat(31)));
        assert!(!is_secret(&format!("{}!", "a".repeat(31))));
    }
}
