//! [`CustomStatus`]: what a user says they are doing, and until when, with
//! its text parsed once at the boundary ([`StatusText`]).

use std::{fmt, sync::Arc};

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

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
