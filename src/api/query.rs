//! What `/api/users` is asked: a search prefix and an opaque cursor.
//!
//! The cursor is the folded name of the last user on the previous page
//! together with the search it belongs to, hex-encoded; the empty search,
//! which lists everyone in the list's own order (online, then away and do
//! not disturb, then offline), also writes the part the name is in. It is opaque so
//! that clients only ever hand back what the server gave them, and the
//! format can change without breaking them. It is not a secret: a forged
//! cursor can only start a listing at another name, which anyone may do.

use std::fmt::Write as _;

use crate::{
    auth::username::{Username, fold},
    users::directory::{ListRank, Position},
};

/// The longest search accepted: a username's maximum length.
const MAX_SEARCH_CHARS: usize = Username::MAX_CHARS;
/// The longest cursor accepted: two hex digits per byte of a search and a
/// name of at most 150 characters of up to 4 bytes, and the separator.
const MAX_CURSOR_LEN: usize = 2 * (2 * 4 * Username::MAX_CHARS + 1);
/// Separates the search from the name; neither can contain it.
const SEPARATOR: char = '/';

/// Why a query was refused. The messages say how to fix the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The search is longer than any username.
    #[error("The search `q` is too long: at most 150 characters.")]
    SearchTooLong,
    /// The search has a character no username has.
    #[error("The search `q` is the start of a username: letters, digits and @/./+/-/_ only.")]
    SearchCharacter,
    /// The cursor was not made by this server.
    #[error("The cursor `after` is not valid. Start again from the first page.")]
    BadCursor,
    /// The cursor belongs to a different search.
    #[error("The cursor `after` belongs to another search. Start again from the first page.")]
    OtherSearch,
}

/// A search: the folded start of a username, possibly empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search(String);

impl Search {
    /// Reads what was typed in the search box. Surrounding spaces are
    /// ignored and case does not matter, as with log-in names.
    pub fn parse(raw: &str) -> Result<Self, QueryError> {
        let folded = fold(raw);
        if folded.chars().count() > MAX_SEARCH_CHARS {
            return Err(QueryError::SearchTooLong);
        }
        if !folded.chars().all(is_name_char) {
            return Err(QueryError::SearchCharacter);
        }
        Ok(Self(folded))
    }

    /// The empty search, which lists everyone.
    pub fn everyone() -> Self {
        Self(String::new())
    }

    /// The folded prefix.
    pub fn prefix(&self) -> &str {
        &self.0
    }

    /// Whether this is the empty search, which lists everyone in the
    /// list's own order (online, then away and do not disturb, then
    /// offline) rather than by name alone.
    pub fn is_everyone(&self) -> bool {
        self.0.is_empty()
    }

    /// The cursor that continues this search after the folded name `key`.
    pub fn cursor_after(&self, key: &str) -> String {
        hex(&format!("{}{SEPARATOR}{key}", self.0))
    }

    /// The cursor that continues the empty search's listing after
    /// `position`: its part's digit and the folded name.
    pub fn everyone_after(position: &Position) -> String {
        hex(&format!(
            "{SEPARATOR}{}{SEPARATOR}{}",
            position.rank.digit(),
            position.key
        ))
    }

    /// The folded name a cursor of this (non-empty) search continues after.
    pub fn resume(&self, cursor: &str) -> Result<String, QueryError> {
        let (search, key) = unhex(cursor)?;
        if search != self.0 {
            return Err(QueryError::OtherSearch);
        }
        checked_key(&key)
    }

    /// Where a cursor of the empty search continues the list's order.
    pub fn resume_everyone(cursor: &str) -> Result<Position, QueryError> {
        let (search, rest) = unhex(cursor)?;
        if !search.is_empty() {
            return Err(QueryError::OtherSearch);
        }
        let (digit, key) = rest.split_once(SEPARATOR).ok_or(QueryError::BadCursor)?;
        let mut digits = digit.chars();
        let rank = match (digits.next(), digits.next()) {
            (Some(digit), None) => ListRank::from_digit(digit),
            _ => None,
        };
        Ok(Position {
            rank: rank.ok_or(QueryError::BadCursor)?,
            key: checked_key(key)?,
        })
    }
}

/// `plain`, two hex digits per byte.
fn hex(plain: &str) -> String {
    plain.bytes().fold(String::new(), |mut hex, byte| {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// A cursor's search and the rest, read back from hex.
fn unhex(cursor: &str) -> Result<(String, String), QueryError> {
    if cursor.len() > MAX_CURSOR_LEN || !cursor.len().is_multiple_of(2) {
        return Err(QueryError::BadCursor);
    }
    let bytes = (0..cursor.len())
        .step_by(2)
        .map(|i| {
            cursor
                .get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or(QueryError::BadCursor)?;
    let plain = String::from_utf8(bytes).map_err(|_| QueryError::BadCursor)?;
    let (search, rest) = plain.split_once(SEPARATOR).ok_or(QueryError::BadCursor)?;
    Ok((search.to_owned(), rest.to_owned()))
}

/// `key` if it is a folded name, as every cursor's name is.
fn checked_key(key: &str) -> Result<String, QueryError> {
    if key.is_empty() || !key.chars().all(is_name_char) || fold(key) != key {
        return Err(QueryError::BadCursor);
    }
    Ok(key.to_owned())
}

/// The characters of a folded username (see `auth::username`).
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '@' | '.' | '+' | '-' | '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_folded_and_trimmed() {
        assert_eq!(Search::parse("  Bob ").unwrap().prefix(), "bob");
        assert_eq!(Search::parse("").unwrap().prefix(), "");
        assert_eq!(Search::parse("Émile_2").unwrap().prefix(), "émile_2");
    }

    #[test]
    fn a_search_no_username_could_match_is_refused() {
        assert_eq!(Search::parse("bob smith"), Err(QueryError::SearchCharacter));
        assert_eq!(Search::parse("100%"), Err(QueryError::SearchCharacter));
        assert_eq!(Search::parse("a/b"), Err(QueryError::SearchCharacter));
        assert_eq!(
            Search::parse(&"a".repeat(151)),
            Err(QueryError::SearchTooLong)
        );
        assert!(Search::parse(&"a".repeat(150)).is_ok());
    }

    #[test]
    fn a_cursor_resumes_after_the_name_it_was_made_for() {
        let search = Search::parse("al").unwrap();
        let cursor = search.cursor_after("alice.émile");
        assert!(cursor.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(search.resume(&cursor).unwrap(), "alice.émile");
    }

    #[test]
    fn a_cursor_from_another_query_is_rejected() {
        let cursor = Search::parse("al").unwrap().cursor_after("alice");
        assert_eq!(
            Search::parse("").unwrap().resume(&cursor),
            Err(QueryError::OtherSearch)
        );
        assert_eq!(
            Search::parse("alice").unwrap().resume(&cursor),
            Err(QueryError::OtherSearch)
        );
    }

    #[test]
    fn a_cursor_the_server_did_not_make_is_rejected() {
        let search = Search::parse("").unwrap();
        for cursor in [
            "zz",
            "abc",
            "616c696365",     // "alice": no separator
            "2f",             // "/": no name
            "2f416c696365",   // "/Alice": not folded
            "2f616c20696365", // "/al ice": not a name
            "2fff",           // not UTF-8
            "2f61\u{e9}",     // not hex
        ] {
            assert_eq!(
                search.resume(cursor),
                Err(QueryError::BadCursor),
                "{cursor}"
            );
        }
        assert_eq!(
            search.resume(&"61".repeat(MAX_CURSOR_LEN)),
            Err(QueryError::BadCursor)
        );
    }

    #[test]
    fn a_cursor_of_the_list_resumes_in_its_part_after_its_name() {
        let position = Position {
            rank: ListRank::AwayOrDnd,
            key: "bob.émile".into(),
        };
        let cursor = Search::everyone_after(&position);
        assert!(cursor.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(Search::resume_everyone(&cursor), Ok(position));
    }

    #[test]
    fn a_cursor_of_the_list_and_one_of_a_search_are_not_interchangeable() {
        let search = Search::parse("al").unwrap();
        let of_search = search.cursor_after("alice");
        assert_eq!(
            Search::resume_everyone(&of_search),
            Err(QueryError::OtherSearch)
        );
        let of_list = Search::everyone_after(&Position {
            rank: ListRank::Online,
            key: "alice".into(),
        });
        assert_eq!(search.resume(&of_list), Err(QueryError::OtherSearch));
    }

    #[test]
    fn a_cursor_of_the_list_with_no_part_or_an_unknown_one_is_rejected() {
        for plain in [
            "/alice",
            "/3/alice",
            "/01/alice",
            "//alice",
            "/0/",
            "/0/Alice",
        ] {
            let cursor = hex(plain);
            assert_eq!(
                Search::resume_everyone(&cursor),
                Err(QueryError::BadCursor),
                "{plain}"
            );
        }
    }
}
