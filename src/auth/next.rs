//! The `?next=` target after login: only ever a path on this site.

use std::fmt;

/// A local path to redirect to after login. Parsing refuses anything a
/// browser could resolve to another host, which closes the open redirect.
#[derive(Clone, PartialEq, Eq)]
pub struct NextPath(String);

impl NextPath {
    /// Longer targets are not paths anyone typed.
    const MAX_LEN: usize = 2048;

    /// Parses a `next` value, or returns `None` if it is not a local path.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = raw.len() <= Self::MAX_LEN
            && raw.starts_with('/')
            // `//host` and `/\host` are protocol-relative in browsers.
            && !raw.starts_with("//")
            && !raw.contains('\\')
            // Browsers strip tabs and newlines, so `/\t/host` is `//host`.
            && !raw.chars().any(|c| c.is_control() || c.is_whitespace());
        ok.then(|| Self(raw.to_owned()))
    }

    /// The path.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NextPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_path_is_accepted() {
        assert_eq!(NextPath::parse("/").unwrap().as_str(), "/");
        assert!(NextPath::parse("/users/?page=2#top").is_some());
    }

    #[test]
    fn an_absolute_url_is_rejected() {
        for bad in [
            "http://evil.example/",
            "https:evil.example",
            "javascript:alert(1)",
        ] {
            assert!(NextPath::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_protocol_relative_url_is_rejected() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil",
        ] {
            assert!(NextPath::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn an_empty_or_relative_value_is_rejected() {
        assert!(NextPath::parse("").is_none());
        assert!(NextPath::parse("users/").is_none());
    }
}
