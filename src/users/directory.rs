//! The directory: who is listed on the page and in the search API.
//!
//! The list at `/` and the empty search show everyone in the list's own
//! order, online first (see [`ranked`]). A search lists by name alone.
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

mod online;
mod ranked;

use std::collections::HashMap;

use entity::user;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};

pub use self::online::{Online, online, online_names};
pub use self::ranked::{ListRank, Position, RankedPage, ranked, shown_online};
use crate::live::status::{Attendance, Presence};

/// How many users one page of the directory holds.
pub const PAGE_SIZE: u64 = 50;

/// One line of the user list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The name as typed at sign-up.
    pub username: String,
    /// When they last went offline, in Unix milliseconds; `None` if never.
    /// An invisible user's stays when they went invisible.
    pub last_seen_at: Option<i64>,
    /// What everyone else sees of them: from their `LoggedInUser` rows on
    /// every node and what they chose, so an invisible user is offline.
    pub presence: Presence,
}

impl Listed {
    /// Whether others see them online, away or in do not disturb.
    pub fn online(&self) -> bool {
        self.presence.status.is_logged_in()
    }
}

/// One page of a name-ordered listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// At most [`PAGE_SIZE`] users, by folded name.
    pub users: Vec<Listed>,
    /// The folded name of the last user listed, when more follow.
    pub next: Option<String>,
}

/// A row as the listings read it: id, name, folded name, last seen, and
/// what the user chose (manual status, custom text, custom expiry).
type Row = (
    i64,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
    Option<i64>,
);

/// The users table's listing columns, in folded-name order.
fn by_key() -> Select<user::Entity> {
    user::Entity::find()
        .select_only()
        .columns([
            user::Column::Id,
            user::Column::Username,
            user::Column::UsernameKey,
            user::Column::LastSeenAt,
            user::Column::ManualStatus,
            user::Column::CustomText,
            user::Column::CustomUntil,
        ])
        .order_by_asc(user::Column::UsernameKey)
}

/// One page of the users whose folded name starts with `prefix` (every
/// user when it is empty) and sorts after `after`, each with their status
/// as others see it at `now` (Unix ms; it decides whether a custom status
/// has expired).
///
/// `prefix` and `after` must already be folded: they are compared with
/// `username_key` as they are.
pub async fn search(
    db: &DatabaseConnection,
    prefix: &str,
    after: Option<&str>,
    now: i64,
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
    let attendance = online::attendance_among(db, rows.iter().map(|row| row.0)).await?;
    Ok(paginate(rows, &attendance, now))
}

/// Turns up to `PAGE_SIZE + 1` rows into a page: the extra row, if it came
/// back, only says that another page follows.
fn paginate(mut rows: Vec<Row>, attendance: &HashMap<i64, Attendance>, now: i64) -> Page {
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next = more
        .then(|| rows.last().map(|(_, _, key, ..)| key.clone()))
        .flatten();
    let users = rows
        .into_iter()
        .map(
            |(id, username, _, last_seen_at, manual, custom_text, custom_until)| {
                let profile =
                    crate::users::profile_from(&manual, custom_text.as_deref(), custom_until);
                Listed {
                    username,
                    last_seen_at,
                    presence: Presence::public(attendance.get(&id).copied(), &profile, now),
                }
            },
        )
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

    use crate::live::status::{Devices, Status};

    fn rows(count: i64) -> Vec<Row> {
        (0..count)
            .map(|i| {
                let manual = if i == 2 { "invisible" } else { "auto" };
                let name = format!("U{i:03}");
                (i, name, format!("u{i:03}"), None, manual.into(), None, None)
            })
            .collect()
    }

    fn connected(ids: &[i64]) -> HashMap<i64, Attendance> {
        let idle = Attendance {
            active: false,
            devices: Devices::from_bits(2),
        };
        ids.iter().map(|id| (*id, idle)).collect()
    }

    #[test]
    fn a_full_page_plus_one_row_says_another_page_follows() {
        let page = paginate(rows(PAGE_SIZE as i64 + 1), &connected(&[0]), 0);
        assert_eq!(page.users.len() as u64, PAGE_SIZE);
        assert_eq!(page.next.as_deref(), Some("u049"));
        assert!(page.users[0].online() && !page.users[1].online());
        assert_eq!(page.users[0].presence.status, Status::Away);
        assert_eq!(page.users[0].presence.devices.names(), ["mobile"]);
    }

    #[test]
    fn a_connected_invisible_user_is_listed_offline() {
        let page = paginate(rows(5), &connected(&[1, 2]), 0);
        assert!(page.users[1].online());
        assert!(!page.users[2].online());
        assert_eq!(page.users[2].presence, Presence::OFFLINE);
    }

    #[test]
    fn a_page_without_the_extra_row_is_the_last() {
        let page = paginate(rows(PAGE_SIZE as i64), &HashMap::new(), 0);
        assert_eq!(page.users.len() as u64, PAGE_SIZE);
        assert_eq!(page.next, None);
    }
}
