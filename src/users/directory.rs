//! The directory: who is listed on the page and in the search API.
//!
//! Every listing is ordered by `username_key`, the folded name, and pages
//! with a keyset (`username_key > last key seen`) rather than an `OFFSET`,
//! so page 2,000 costs the same as page 1: the database walks the unique
//! index on `username_key` from the key onwards and stops after one page.
//!
//! A search is a prefix of the folded name, turned into a key range
//! (`prefix <= key < successor(prefix)`) that the same index answers. A
//! range reads the same on SQLite, whose default collation compares bytes,
//! and on PostgreSQL, where a migration gives the column the bytewise "C"
//! collation. `LIKE 'prefix%'` would need its own index on PostgreSQL and
//! escaping of `_`, which is a legal username character.

use std::collections::HashSet;

use entity::{logged_in_user, user};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Select, Statement,
};

use crate::auth::username::fold;

/// How many users one page of the directory holds.
pub const PAGE_SIZE: u64 = 50;

/// One line of the user list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Listed {
    /// The name as typed at sign-up.
    pub username: String,
    /// Whether a `LoggedInUser` row exists for them on any node.
    pub online: bool,
    /// When they last went offline, in Unix milliseconds; `None` if never.
    pub last_seen_at: Option<i64>,
}

/// One page of a name-ordered listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// At most [`PAGE_SIZE`] users, by folded name.
    pub users: Vec<Listed>,
    /// The folded name of the last user listed, when more follow.
    pub next: Option<String>,
}

/// A row as the listings read it: id, name, folded name, last seen.
type Row = (i64, String, String, Option<i64>);

/// The users table's listing columns, in folded-name order.
fn by_key() -> Select<user::Entity> {
    user::Entity::find()
        .select_only()
        .columns([
            user::Column::Id,
            user::Column::Username,
            user::Column::UsernameKey,
            user::Column::LastSeenAt,
        ])
        .order_by_asc(user::Column::UsernameKey)
}

/// The names of every online user, by folded name. The page lists them
/// all, above the first page of everyone else.
///
/// Two choices keep this cheap with 10,000 users online (measured with
/// `cargo bench --bench page` and `presence-bench page`, see
/// BENCHMARKS.md):
/// - The database joins the names into one newline-separated string, so
///   one row comes back however many users are online. sqlx's SQLite
///   driver hands each row from its worker thread through a channel, with
///   a thread wake-up per row, and that hand-off was most of the page's
///   time. (A username cannot hold a newline.)
/// - The names are sorted here, by the same fold that made
///   `username_key`, rather than with `ORDER BY` inside the aggregate,
///   which costs SQLite a temporary B-tree of 10,000 entries. Folded keys
///   are unique, and `String` compares bytes as both databases compare
///   the key column, so the order is the listings' order.
pub async fn online_names(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let joined = match backend {
        DbBackend::Postgres => "string_agg(u.username, E'\\n')",
        _ => "group_concat(u.username, char(10))",
    };
    let sql = format!(
        "SELECT {joined} AS names FROM users u \
         WHERE u.id IN (SELECT user_id FROM logged_in_user)"
    );
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await?;
    let names: Option<String> = match row {
        Some(row) => row.try_get("", "names")?,
        None => None,
    };
    let mut names: Vec<String> = names
        .map(|joined| joined.split('\n').map(str::to_owned).collect())
        .unwrap_or_default();
    names.sort_by_cached_key(|name| fold(name));
    Ok(names)
}

/// One page of the users whose folded name starts with `prefix` (every
/// user when it is empty) and sorts after `after`, each with their status.
///
/// `prefix` and `after` must already be folded: they are compared with
/// `username_key` as they are.
pub async fn search(
    db: &DatabaseConnection,
    prefix: &str,
    after: Option<&str>,
) -> Result<Page, DbErr> {
    let mut query = by_key().limit(PAGE_SIZE + 1);
    if !prefix.is_empty() {
        query = query.filter(user::Column::UsernameKey.gte(prefix));
        if let Some(end) = successor(prefix) {
            query = query.filter(user::Column::UsernameKey.lt(end));
        }
    }
    if let Some(after) = after {
        query = query.filter(user::Column::UsernameKey.gt(after));
    }
    let rows = query.into_tuple::<Row>().all(db).await?;
    let online = online_among(db, rows.iter().map(|row| row.0)).await?;
    Ok(paginate(rows, &online))
}

/// Which of `ids` are online: one query for a page, not one per user.
async fn online_among(
    db: &DatabaseConnection,
    ids: impl Iterator<Item = i64>,
) -> Result<HashSet<i64>, DbErr> {
    let ids: Vec<i64> = ids.collect();
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(logged_in_user::Entity::find()
        .select_only()
        .column(logged_in_user::Column::UserId)
        .filter(logged_in_user::Column::UserId.is_in(ids))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Turns up to `PAGE_SIZE + 1` rows into a page: the extra row, if it came
/// back, only says that another page follows.
fn paginate(mut rows: Vec<Row>, online: &HashSet<i64>) -> Page {
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next = more
        .then(|| rows.last().map(|(_, _, key, _)| key.clone()))
        .flatten();
    let users = rows
        .into_iter()
        .map(|(id, username, _, last_seen_at)| Listed {
            username,
            online: online.contains(&id),
            last_seen_at,
        })
        .collect();
    Page { users, next }
}

/// The smallest string above every string that starts with `prefix`, or
/// `None` when there is none (a prefix of only `char::MAX`).
///
/// Strings compare by code point here, as UTF-8 bytes compare in SQLite
/// and in PostgreSQL's "C" collation: bumping the last character of the
/// prefix to the next code point gives the exclusive end of its range.
pub fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        // Skip the surrogate gap, which no `char` can hold.
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_successor_bumps_the_last_character() {
        assert_eq!(successor("ab").as_deref(), Some("ac"));
        assert_eq!(successor("a_").as_deref(), Some("a`"));
        assert_eq!(successor("zé").as_deref(), Some("zê"));
    }

    #[test]
    fn the_successor_bounds_every_extension_of_the_prefix() {
        let end = successor("bob").unwrap();
        for name in ["bob", "bob.smith", "bob_", "bobzzz", "bobé", "bob\u{10000}"] {
            assert!(name >= "bob" && name < end.as_str(), "{name}");
        }
        for name in ["boa", "boc", "bo", "bp"] {
            assert!(!(name >= "bob" && name < end.as_str()), "{name}");
        }
    }

    #[test]
    fn the_successor_skips_the_surrogate_gap_and_the_top_of_unicode() {
        assert_eq!(successor("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(successor("\u{10FFFF}"), None);
        assert_eq!(successor(""), None);
    }

    fn rows(count: i64) -> Vec<Row> {
        (0..count)
            .map(|i| (i, format!("U{i:03}"), format!("u{i:03}"), None))
            .collect()
    }

    #[test]
    fn a_full_page_plus_one_row_says_another_page_follows() {
        let page = paginate(rows(PAGE_SIZE as i64 + 1), &HashSet::from([0]));
        assert_eq!(page.users.len() as u64, PAGE_SIZE);
        assert_eq!(page.next.as_deref(), Some("u049"));
        assert!(page.users[0].online && !page.users[1].online);
    }

    #[test]
    fn a_page_without_the_extra_row_is_the_last() {
        let page = paginate(rows(PAGE_SIZE as i64), &HashSet::new());
        assert_eq!(page.users.len() as u64, PAGE_SIZE);
        assert_eq!(page.next, None);
    }
}
