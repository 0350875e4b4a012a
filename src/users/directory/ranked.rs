//! The list's own order: online users first, then away and do not
//! disturb, then offline, each part by folded name.
//!
//! Each account carries its part in `users.list_rank`, which the database
//! keeps from the `LoggedInUser` rows and the user's choice (see the
//! `list_rank` migration). An index on `(list_rank, username_key)` makes a
//! page of any part a range read: the first page costs the same with 100
//! users online as with 100,000, and so does page 2,000 (keyset paging, as
//! in the parent module).

use entity::user;
use sea_orm::{
    AccessMode, ColumnTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, IsolationLevel,
    PaginatorTrait, QueryFilter, TransactionTrait,
};

use super::{PAGE_SIZE, Row, by_key, online, paginate};
use crate::users::Listed;

/// The parts of the list, in the order it shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ListRank {
    /// Online: connected, active somewhere, not in do not disturb.
    Online,
    /// Away (connected, idle everywhere) or in do not disturb.
    AwayOrDnd,
    /// Offline, or invisible.
    Offline,
}

impl ListRank {
    /// Every part, in list order.
    pub const ALL: [Self; 3] = [Self::Online, Self::AwayOrDnd, Self::Offline];

    /// The value `users.list_rank` holds for this part.
    pub fn column_value(self) -> i16 {
        match self {
            Self::Online => 0,
            Self::AwayOrDnd => 1,
            Self::Offline => 2,
        }
    }

    /// The part a cursor's digit names, if any.
    pub fn from_digit(digit: char) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|rank| char::from(b'0' + rank.column_value() as u8) == digit)
    }

    /// The digit a cursor writes for this part.
    pub fn digit(self) -> char {
        char::from(b'0' + self.column_value() as u8)
    }
}

/// Where a page of the list's order ends: the part and the folded name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// The part of the last user listed.
    pub rank: ListRank,
    /// The folded name of the last user listed.
    pub key: String,
}

/// One page of the list's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedPage {
    /// At most [`PAGE_SIZE`] users: online first, then away and do not
    /// disturb, then offline, each part by folded name.
    pub users: Vec<Listed>,
    /// Where the next page starts, when one follows.
    pub next: Option<Position>,
}

/// The page of the list's order that follows `after` (the first page
/// when `None`), each user with their status as others see it at `now`.
///
/// At most one range read per part, each stopping after the rows the page
/// still needs, and one read of those users' rows, all in one read-only
/// transaction: a user who moves from one part to another meanwhile is
/// listed once, where one snapshot puts them, never twice or not at all.
/// (PostgreSQL needs `REPEATABLE READ` for one snapshot across statements;
/// SQLite's transactions read one snapshot anyway.)
pub async fn ranked(
    db: &DatabaseConnection,
    after: Option<&Position>,
    now: i64,
) -> Result<RankedPage, DbErr> {
    let txn = match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?
        }
        _ => db.begin().await?,
    };
    let start = after.map_or(ListRank::Online, |position| position.rank);
    let mut rows: Vec<Row> = Vec::new();
    let mut ranks: Vec<ListRank> = Vec::new();
    for rank in ListRank::ALL.into_iter().filter(|rank| *rank >= start) {
        let wanted = PAGE_SIZE + 1 - rows.len() as u64;
        if wanted == 0 {
            break;
        }
        let mut query = sea_orm::QuerySelect::limit(
            by_key().filter(user::Column::ListRank.eq(rank.column_value())),
            wanted,
        );
        if let Some(after) = after.filter(|position| position.rank == rank) {
            query = query.filter(user::Column::UsernameKey.gt(after.key.as_str()));
        }
        let part = query.into_tuple::<Row>().all(&txn).await?;
        ranks.extend(std::iter::repeat_n(rank, part.len()));
        rows.extend(part);
    }
    let more = rows.len() as u64 > PAGE_SIZE;
    let last = (PAGE_SIZE as usize).min(rows.len()).checked_sub(1);
    let next = match last {
        Some(last) if more => Some(Position {
            rank: ranks[last],
            key: rows[last].2.clone(),
        }),
        _ => None,
    };
    let attendance = online::attendance_among(&txn, rows.iter().map(|row| row.0)).await?;
    txn.commit().await?;
    let users = paginate(rows, &attendance, now).users;
    Ok(RankedPage { users, next })
}

/// How many users others see online, away or in do not disturb: the
/// list's first two parts, counted on the index.
pub async fn shown_online(db: &DatabaseConnection) -> Result<u64, DbErr> {
    user::Entity::find()
        .filter(user::Column::ListRank.lt(ListRank::Offline.column_value()))
        .count(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_reads_back_from_its_digit() {
        for rank in ListRank::ALL {
            assert_eq!(ListRank::from_digit(rank.digit()), Some(rank));
        }
        assert_eq!(ListRank::from_digit('3'), None);
        assert_eq!(ListRank::from_digit('a'), None);
    }

    #[test]
    fn the_parts_order_online_before_away_before_offline() {
        assert!(ListRank::Online < ListRank::AwayOrDnd);
        assert!(ListRank::AwayOrDnd < ListRank::Offline);
    }
}
