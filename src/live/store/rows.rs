//! The `LoggedInUser` rows, and the queries over them.
//!
//! Each function takes a connection and does one job; the writer task in
//! the parent module decides when to call them.
//!
//! Rows are keyed by account id, the hub knows users by name: [`Ids`]
//! remembers the id of each name once looked up (an account keeps both
//! for life), so that the write of an activity flip is one statement.

use std::collections::BTreeMap;

use entity::{logged_in_user, user};
use moka::sync::Cache;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Set, TransactionTrait,
    sea_query::{Expr, OnConflict},
};

use super::writer::WRITE_DEADLINE;
use crate::{
    auth::Username,
    db::within,
    live::status::{Attendance, Device, Manual},
};

/// Bind parameters per statement stay well under every backend's limit.
const CHUNK: usize = 500;

/// The most account ids [`Ids`] keeps: more than the users online at once
/// on one node; beyond it the least recently used are looked up again.
pub const MAX_IDS: u64 = 1 << 18;

/// Account ids by username, as looked up so far. An account's id and name
/// never change, so what is remembered stays true.
#[derive(Clone)]
pub(super) struct Ids(Cache<Username, i64>);

impl Ids {
    pub(super) fn new() -> Self {
        Self(Cache::new(MAX_IDS))
    }

    /// The ids of those of `names` that are accounts, asking the database
    /// only for names not remembered.
    async fn of<'a>(
        &self,
        db: &DatabaseConnection,
        names: &[&'a Username],
    ) -> Result<Vec<(i64, &'a Username)>, DbErr> {
        let mut found = Vec::with_capacity(names.len());
        let mut unknown = Vec::new();
        for &name in names {
            match self.0.get(name) {
                Some(id) => found.push((id, name)),
                None => unknown.push(name),
            }
        }
        for chunk in unknown.chunks(CHUNK) {
            let ids: BTreeMap<String, i64> = user_ids(db, chunk)
                .await?
                .into_iter()
                .map(|(id, name)| (name, id))
                .collect();
            for &name in chunk {
                if let Some(&id) = ids.get(name.as_str()) {
                    self.0.insert(name.clone(), id);
                    found.push((id, name));
                }
            }
        }
        Ok(found)
    }
}

/// Applies the latest state of each user in one transaction, or in one
/// statement when that is all it takes (only users online, a few hundred
/// at most: the usual write, an activity flip or a few).
///
/// Ids are looked up before the transaction begins, so that its first
/// statement is a write: on SQLite a transaction that reads and then
/// writes can fail with `SQLITE_BUSY_SNAPSHOT` when another writer got in
/// between, while one that starts by writing simply waits its turn.
pub(super) async fn write(
    db: &DatabaseConnection,
    ids: &Ids,
    node_id: &str,
    states: &BTreeMap<Username, Option<Attendance>>,
    now: i64,
) -> Result<(), DbErr> {
    let online: Vec<(&Username, Attendance)> = states
        .iter()
        .filter_map(|(user, state)| Some((user, (*state)?)))
        .collect();
    let offline: Vec<&Username> = states
        .iter()
        .filter(|(_, state)| state.is_none())
        .map(|(user, _)| user)
        .collect();
    let online_rows = with_ids(db, ids, &online).await?;
    let offline_ids: Vec<i64> = ids
        .of(db, &offline)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    if offline_ids.is_empty() && online_rows.len() <= CHUNK {
        // One statement is atomic on its own: no BEGIN and COMMIT, each a
        // round trip to the database.
        return upsert_rows(db, node_id, &online_rows, now).await;
    }

    let txn = db.begin().await?;
    upsert_rows(&txn, node_id, &online_rows, now).await?;
    for ids in offline_ids.chunks(CHUNK) {
        logged_in_user::Entity::delete_many()
            .filter(logged_in_user::Column::NodeId.eq(node_id))
            .filter(logged_in_user::Column::UserId.is_in(ids.to_vec()))
            .exec(&txn)
            .await?;
        // An invisible user's last-seen time stays when they went invisible.
        user::Entity::update_many()
            .col_expr(user::Column::LastSeenAt, Expr::value(now))
            .filter(user::Column::Id.is_in(ids.to_vec()))
            .filter(user::Column::ManualStatus.ne(Manual::Invisible.as_str()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await
}

/// The account ids of `users`, each with how they attend.
async fn with_ids(
    db: &DatabaseConnection,
    ids: &Ids,
    users: &[(&Username, Attendance)],
) -> Result<Vec<(i64, Attendance)>, DbErr> {
    let attendance: BTreeMap<&Username, Attendance> = users.iter().copied().collect();
    let names: Vec<&Username> = users.iter().map(|(user, _)| *user).collect();
    Ok(ids
        .of(db, &names)
        .await?
        .into_iter()
        .filter_map(|(id, name)| Some((id, *attendance.get(name)?)))
        .collect())
}

/// Inserts `(user, node_id)` rows with how each user attends, updating
/// the attendance of rows that exist.
async fn upsert_rows(
    txn: &impl ConnectionTrait,
    node_id: &str,
    rows: &[(i64, Attendance)],
    now: i64,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK) {
        let rows = chunk
            .iter()
            .map(|&(user_id, attendance)| logged_in_user::ActiveModel {
                user_id: Set(user_id),
                node_id: Set(node_id.to_owned()),
                since: Set(now),
                active: Set(attendance.active),
                desktop: Set(attendance.devices.contains(Device::Desktop)),
                mobile: Set(attendance.devices.contains(Device::Mobile)),
            });
        logged_in_user::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([
                    logged_in_user::Column::UserId,
                    logged_in_user::Column::NodeId,
                ])
                .update_columns([
                    logged_in_user::Column::Active,
                    logged_in_user::Column::Desktop,
                    logged_in_user::Column::Mobile,
                ])
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// The ids and names of the accounts named `names`.
async fn user_ids(
    db: &impl ConnectionTrait,
    names: &[&Username],
) -> Result<Vec<(i64, String)>, DbErr> {
    user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Username)
        .filter(user::Column::Username.is_in(names.iter().map(|name| name.as_str())))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await
}

/// Makes `node_id`'s rows exactly `users`, with how each attends.
pub(super) async fn replace_node(
    db: &DatabaseConnection,
    ids: &Ids,
    node_id: &str,
    users: &[(Username, Attendance)],
    now: i64,
) -> Result<(), DbErr> {
    let users: Vec<(&Username, Attendance)> = users.iter().map(|(u, a)| (u, *a)).collect();
    let rows = with_ids(db, ids, &users).await?;
    let txn = db.begin().await?;
    logged_in_user::Entity::delete_many()
        .filter(logged_in_user::Column::NodeId.eq(node_id))
        .exec(&txn)
        .await?;
    upsert_rows(&txn, node_id, &rows, now).await?;
    txn.commit().await
}

/// Records that `names` were last seen at `at`, for users taken offline by
/// another node's death. Within [`WRITE_DEADLINE`]: the cluster link that
/// calls it must not stall on the database.
pub async fn mark_seen(db: &DatabaseConnection, names: &[String], at: i64) -> Result<(), DbErr> {
    within(WRITE_DEADLINE, async {
        for chunk in names.chunks(CHUNK) {
            user::Entity::update_many()
                .col_expr(user::Column::LastSeenAt, Expr::value(at))
                .filter(user::Column::Username.is_in(chunk.iter().map(String::as_str)))
                .exec(db)
                .await?;
        }
        Ok(())
    })
    .await
}

/// Removes every `LoggedInUser` row of one node, within [`WRITE_DEADLINE`].
pub async fn clear_node(db: &DatabaseConnection, node_id: &str) -> Result<u64, DbErr> {
    let delete =
        logged_in_user::Entity::delete_many().filter(logged_in_user::Column::NodeId.eq(node_id));
    let result = within(WRITE_DEADLINE, delete.exec(db)).await?;
    Ok(result.rows_affected)
}

/// Removes every `LoggedInUser` row: on a single node, any row present at
/// start-up was left by a process that crashed.
pub async fn clear_all(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let result = logged_in_user::Entity::delete_many().exec(db).await?;
    Ok(result.rows_affected)
}

#[cfg(test)]
mod tests;
