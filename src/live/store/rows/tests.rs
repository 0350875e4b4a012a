//! The `LoggedInUser` rows as the writer leaves them, one sentence each.

use entity::{logged_in_user, user};
use sea_orm::{DatabaseConnection, EntityTrait, QueryFilter};

use super::*;
use crate::{db, live::status::Devices, users};

const NODE: &str = "node-a";

fn name(text: &str) -> Username {
    Username::parse(text).expect("a valid name")
}

fn attending(active: bool) -> Option<Attendance> {
    Some(Attendance {
        active,
        devices: Devices::of(Device::Desktop),
    })
}

async fn database_with(names: &[&str]) -> DatabaseConnection {
    let db = db::connect("sqlite::memory:")
        .await
        .expect("in-memory SQLite");
    db::migrate(&db).await.expect("migrations");
    for text in names {
        users::create(&db, &name(text), "hash".to_owned())
            .await
            .expect("account");
    }
    db
}

async fn write_states(db: &DatabaseConnection, ids: &Ids, states: &[(&str, Option<Attendance>)]) {
    let states = states
        .iter()
        .map(|(text, state)| (name(text), *state))
        .collect();
    write(db, ids, NODE, &states, 1_000).await.expect("write");
}

/// Each row's user id and whether they are active.
async fn rows(db: &DatabaseConnection) -> Vec<(i64, bool)> {
    logged_in_user::Entity::find()
        .all(db)
        .await
        .expect("rows")
        .into_iter()
        .map(|row| (row.user_id, row.active))
        .collect()
}

#[actix_web::test]
async fn an_activity_flip_rewrites_the_users_row() {
    let db = database_with(&["ann"]).await;
    let ids = Ids::new();
    write_states(&db, &ids, &[("ann", attending(true))]).await;
    write_states(&db, &ids, &[("ann", attending(false))]).await;
    assert_eq!(rows(&db).await, vec![(1, false)]);
}

#[actix_web::test]
async fn a_remembered_id_is_written_without_asking_the_database_again() {
    let db = database_with(&["ann"]).await;
    let ids = Ids::new();
    write_states(&db, &ids, &[("ann", attending(true))]).await;
    // Were the id looked up again, the renamed account would not be found.
    user::Entity::update_many()
        .col_expr(user::Column::Username, Expr::value("someone-else"))
        .filter(user::Column::Id.eq(1))
        .exec(&db)
        .await
        .expect("rename");
    write_states(&db, &ids, &[("ann", attending(false))]).await;
    assert_eq!(rows(&db).await, vec![(1, false)]);
}

#[actix_web::test]
async fn a_name_that_is_no_account_gets_no_row_and_is_not_remembered() {
    let db = database_with(&["ann"]).await;
    let ids = Ids::new();
    write_states(
        &db,
        &ids,
        &[("ghost", attending(true)), ("ann", attending(true))],
    )
    .await;
    assert_eq!(rows(&db).await, vec![(1, true)]);
    assert_eq!(ids.0.get(&name("ghost")), None);
    assert_eq!(ids.0.get(&name("ann")), Some(1));
}

#[actix_web::test]
async fn going_offline_beside_a_flip_removes_that_row_and_sets_last_seen() {
    let db = database_with(&["ann", "bob"]).await;
    let ids = Ids::new();
    write_states(
        &db,
        &ids,
        &[("ann", attending(true)), ("bob", attending(true))],
    )
    .await;
    write_states(&db, &ids, &[("ann", None), ("bob", attending(false))]).await;
    assert_eq!(rows(&db).await, vec![(2, false)]);
    let ann = users::find_by_id(&db, 1).await.expect("read").expect("ann");
    assert_eq!(ann.last_seen_at, Some(1_000));
}
