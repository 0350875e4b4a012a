//! The `LoggedInUser` rows, and the queries over them.
//!
//! Each function takes a connection and does one job; the writer task in
//! the parent module decides when to call them.

use std::collections::BTreeMap;

use entity::{logged_in_user, user};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Set, TransactionTrait, sea_query::Expr,
};

use crate::auth::Username;

/// Bind parameters per statement stay well under every backend's limit.
const CHUNK: usize = 500;

/// Applies the latest state of each user in one transaction.
///
/// Ids are looked up before the transaction begins, so that its first
/// statement is a write: on SQLite a transaction that reads and then
/// writes can fail with `SQLITE_BUSY_SNAPSHOT` when another writer got in
/// between, while one that starts by writing simply waits its turn.
pub(super) async fn write(
    db: &DatabaseConnection,
    node_id: &str,
    states: &BTreeMap<Username, bool>,
    now: i64,
) -> Result<(), DbErr> {
    let (online, offline): (Vec<&Username>, Vec<&Username>) = states
        .keys()
        .partition(|user| states.get(*user).copied().unwrap_or(false));
    let mut online_ids = Vec::new();
    for names in online.chunks(CHUNK) {
        online_ids.extend(user_ids(db, names).await?);
    }
    let mut offline_ids = Vec::new();
    for names in offline.chunks(CHUNK) {
        offline_ids.extend(user_ids(db, names).await?);
    }

    let txn = db.begin().await?;
    insert_rows(&txn, node_id, &online_ids, now).await?;
    for ids in offline_ids.chunks(CHUNK) {
        logged_in_user::Entity::delete_many()
            .filter(logged_in_user::Column::NodeId.eq(node_id))
            .filter(logged_in_user::Column::UserId.is_in(ids.to_vec()))
            .exec(&txn)
            .await?;
        user::Entity::update_many()
            .col_expr(user::Column::LastSeenAt, Expr::value(now))
            .filter(user::Column::Id.is_in(ids.to_vec()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await
}

/// Inserts `(user, node_id)` rows, keeping any that exist.
async fn insert_rows(
    txn: &impl ConnectionTrait,
    node_id: &str,
    ids: &[i64],
    now: i64,
) -> Result<(), DbErr> {
    for chunk in ids.chunks(CHUNK) {
        let rows = chunk.iter().map(|&user_id| logged_in_user::ActiveModel {
            user_id: Set(user_id),
            node_id: Set(node_id.to_owned()),
            since: Set(now),
        });
        logged_in_user::Entity::insert_many(rows)
            .on_conflict_do_nothing()
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

async fn user_ids(db: &impl ConnectionTrait, names: &[&Username]) -> Result<Vec<i64>, DbErr> {
    user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Username.is_in(names.iter().map(|name| name.as_str())))
        .into_tuple::<i64>()
        .all(db)
        .await
}

/// Makes `node_id`'s rows exactly `users`.
pub(super) async fn replace_node(
    db: &DatabaseConnection,
    node_id: &str,
    users: &[Username],
    now: i64,
) -> Result<(), DbErr> {
    let names: Vec<&Username> = users.iter().collect();
    let mut ids = Vec::new();
    for chunk in names.chunks(CHUNK) {
        ids.extend(user_ids(db, chunk).await?);
    }
    let txn = db.begin().await?;
    logged_in_user::Entity::delete_many()
        .filter(logged_in_user::Column::NodeId.eq(node_id))
        .exec(&txn)
        .await?;
    insert_rows(&txn, node_id, &ids, now).await?;
    txn.commit().await
}

/// Records that `names` were last seen at `at`, for users taken offline by
/// another node's death.
pub async fn mark_seen(db: &DatabaseConnection, names: &[String], at: i64) -> Result<(), DbErr> {
    for chunk in names.chunks(CHUNK) {
        user::Entity::update_many()
            .col_expr(user::Column::LastSeenAt, Expr::value(at))
            .filter(user::Column::Username.is_in(chunk.iter().map(String::as_str)))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Removes every `LoggedInUser` row of one node.
pub async fn clear_node(db: &DatabaseConnection, node_id: &str) -> Result<u64, DbErr> {
    let result = logged_in_user::Entity::delete_many()
        .filter(logged_in_user::Column::NodeId.eq(node_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Removes every `LoggedInUser` row: on a single node, any row present at
/// start-up was left by a process that crashed.
pub async fn clear_all(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let result = logged_in_user::Entity::delete_many().exec(db).await?;
    Ok(result.rows_affected)
}
