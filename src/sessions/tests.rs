//! The session store: as right as the table, one sentence each.

use std::collections::HashMap;

use entity::session;
use sea_orm::{ConnectionTrait, EntityTrait};

use super::*;
use crate::db;

fn state(sid: &str) -> State {
    HashMap::from([("sid".to_owned(), format!("\"{sid}\""))])
}

fn ttl() -> Duration {
    Duration::days(1)
}

async fn database() -> DatabaseConnection {
    let db = db::connect("sqlite::memory:")
        .await
        .expect("in-memory SQLite");
    db::migrate(&db).await.expect("migrations");
    db
}

/// Deletes every session row behind the store's back: what loads after
/// this came from memory.
async fn empty_the_table(db: &DatabaseConnection) {
    session::Entity::delete_many()
        .exec(db)
        .await
        .expect("delete rows");
}

#[actix_web::test]
async fn a_saved_session_loads_from_memory_with_no_query() {
    let db = database().await;
    let store = SessionBackend::remembered(db.clone());
    let key = store.save(state("a"), &ttl()).await.expect("save");
    empty_the_table(&db).await;
    assert_eq!(store.load(&key).await.expect("load"), Some(state("a")));
}

#[actix_web::test]
async fn a_session_loaded_once_from_the_database_loads_again_from_memory() {
    let db = database().await;
    let store = SessionBackend::remembered(db.clone());
    let key = SessionBackend::in_table(db.clone())
        .save(state("a"), &ttl())
        .await
        .expect("save");
    assert_eq!(store.load(&key).await.expect("load"), Some(state("a")));
    empty_the_table(&db).await;
    assert_eq!(store.load(&key).await.expect("load"), Some(state("a")));
}

#[actix_web::test]
async fn an_updated_session_loads_its_new_state() {
    let db = database().await;
    let store = SessionBackend::remembered(db.clone());
    let key = store.save(state("a"), &ttl()).await.expect("save");
    let key = store.update(key, state("b"), &ttl()).await.expect("update");
    let row = SessionBackend::in_table(db)
        .load(&key)
        .await
        .expect("load from the table");
    assert_eq!(row, Some(state("b")), "written through");
    assert_eq!(store.load(&key).await.expect("load"), Some(state("b")));
}

#[actix_web::test]
async fn a_deleted_session_no_longer_loads_from_memory_or_the_table() {
    let db = database().await;
    let store = SessionBackend::remembered(db.clone());
    let key = store.save(state("a"), &ttl()).await.expect("save");
    store.delete(&key).await.expect("delete");
    assert_eq!(store.load(&key).await.expect("load"), None);
    let row = SessionBackend::in_table(db).load(&key).await.expect("load");
    assert_eq!(row, None);
}

#[actix_web::test]
async fn an_update_of_a_deleted_session_goes_under_a_fresh_key_and_the_old_stays_dead() {
    let store = SessionBackend::remembered(database().await);
    let old = store.save(state("a"), &ttl()).await.expect("save");
    let copy = SessionKey::try_from(old.as_ref().to_owned()).expect("key");
    store.delete(&old).await.expect("delete");
    let fresh = store
        .update(copy, state("b"), &ttl())
        .await
        .expect("update");
    assert_ne!(fresh.as_ref(), old.as_ref());
    assert_eq!(store.load(&fresh).await.expect("load"), Some(state("b")));
    assert_eq!(store.load(&old).await.expect("load"), None);
}

#[actix_web::test]
async fn a_session_saved_already_expired_does_not_load() {
    let store = SessionBackend::remembered(database().await);
    let key = store
        .save(state("a"), &Duration::milliseconds(-1))
        .await
        .expect("save");
    assert_eq!(store.load(&key).await.expect("load"), None);
}

#[actix_web::test]
async fn a_cluster_nodes_store_asks_the_table_on_every_load() {
    let db = database().await;
    let store = SessionBackend::in_table(db.clone());
    let key = store.save(state("a"), &ttl()).await.expect("save");
    assert_eq!(store.load(&key).await.expect("load"), Some(state("a")));
    // Another node logs the session out.
    empty_the_table(&db).await;
    assert_eq!(store.load(&key).await.expect("load"), None);
}

/// The database fails every call from now on: its table is gone.
async fn break_the_table(db: &DatabaseConnection) {
    db.execute_unprepared("DROP TABLE session")
        .await
        .expect("drop the table");
}

#[actix_web::test]
async fn an_update_the_database_refuses_leaves_no_stale_copy_in_memory() {
    let db = database().await;
    let store = SessionBackend::remembered(db.clone());
    let key = store.save(state("a"), &ttl()).await.expect("save");
    let copy = SessionKey::try_from(key.as_ref().to_owned()).expect("key");
    break_the_table(&db).await;
    assert!(store.update(key, state("b"), &ttl()).await.is_err());
    // Memory no longer answers for the key: the load asks the failing
    // database rather than return state "a" the table may not hold.
    assert!(store.load(&copy).await.is_err());
}

#[actix_web::test]
async fn a_logout_whose_delete_fails_still_refuses_the_session_on_this_node() {
    let db = database().await;
    let store = SessionBackend::remembered(db.clone());
    let key = store.save(state("a"), &ttl()).await.expect("save");
    break_the_table(&db).await;
    assert!(store.delete(&key).await.is_err());
    assert_eq!(store.load(&key).await.expect("load"), None);
}
