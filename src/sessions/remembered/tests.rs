//! Remembered sessions: as right as the table, one sentence each.

use std::collections::HashMap;

use entity::session;
use sea_orm::{DatabaseConnection, EntityTrait};

use super::*;
use crate::db;

const LATER: i64 = i64::MAX;

fn body(text: &str) -> Arc<str> {
    Arc::from(text)
}

fn state(sid: &str) -> State {
    HashMap::from([("sid".to_owned(), format!("\"{sid}\""))])
}

fn ttl() -> Duration {
    Duration::days(1)
}

async fn store() -> (RememberedSessions, DatabaseConnection) {
    let db = db::connect("sqlite::memory:")
        .await
        .expect("in-memory SQLite");
    db::migrate(&db).await.expect("migrations");
    (RememberedSessions::new(DbSessionStore::new(db.clone())), db)
}

/// Deletes every session row behind the store's back: what loads after
/// this came from memory.
async fn empty_the_table(db: &DatabaseConnection) {
    session::Entity::delete_many()
        .exec(db)
        .await
        .expect("delete rows");
}

#[test]
fn a_key_memory_never_saw_is_not_known() {
    let memory = Recollection::new(MAX_BYTES);
    assert_eq!(memory.recall("k", 0), None);
}

#[test]
fn a_loaded_session_is_recalled_until_it_expires() {
    let memory = Recollection::new(MAX_BYTES);
    memory.loaded("k", body("{}"), 1_000);
    assert_eq!(memory.recall("k", 999), Some(Some(body("{}"))));
    assert_eq!(memory.recall("k", 1_000), Some(None));
}

#[test]
fn a_load_that_read_the_row_before_a_logout_does_not_bring_the_session_back() {
    let memory = Recollection::new(MAX_BYTES);
    // The load read the row; the logout marks and deletes it; the load
    // then tries to remember what it read.
    memory.gone("k");
    memory.loaded("k", body("{}"), LATER);
    assert_eq!(memory.recall("k", 0), Some(None));
}

#[test]
fn a_write_after_a_logout_does_not_bring_the_session_back() {
    let memory = Recollection::new(MAX_BYTES);
    memory.gone("k");
    memory.wrote("k", body("{}"), LATER);
    memory.extended("k", LATER);
    memory.unsure("k");
    assert_eq!(memory.recall("k", 0), Some(None));
}

#[test]
fn a_load_does_not_overwrite_a_newer_write() {
    let memory = Recollection::new(MAX_BYTES);
    memory.wrote("k", body("new"), LATER);
    memory.loaded("k", body("old"), LATER);
    assert_eq!(memory.recall("k", 0), Some(Some(body("new"))));
}

#[test]
fn a_failed_write_leaves_the_session_to_the_database() {
    let memory = Recollection::new(MAX_BYTES);
    memory.wrote("k", body("{}"), LATER);
    memory.unsure("k");
    assert_eq!(memory.recall("k", 0), None);
}

#[test]
fn memory_keeps_to_its_bound_in_bytes() {
    let memory = Recollection::new(64 * 1024);
    let state = body(&"x".repeat(200));
    for n in 0..10_000 {
        memory.loaded(&format!("key-{n}"), state.clone(), LATER);
    }
    memory.cache.run_pending_tasks();
    assert!(
        memory.cache.weighted_size() <= 64 * 1024,
        "{} bytes",
        memory.cache.weighted_size()
    );
    assert!(memory.cache.entry_count() < 10_000);
}

#[actix_web::test]
async fn a_saved_session_loads_from_memory_with_no_query() {
    let (store, db) = store().await;
    let key = store.save(state("a"), &ttl()).await.expect("save");
    empty_the_table(&db).await;
    assert_eq!(store.load(&key).await.expect("load"), Some(state("a")));
}

#[actix_web::test]
async fn a_session_loaded_once_from_the_database_loads_again_from_memory() {
    let (store, db) = store().await;
    let key = DbSessionStore::new(db.clone())
        .save(state("a"), &ttl())
        .await
        .expect("save");
    assert_eq!(store.load(&key).await.expect("load"), Some(state("a")));
    empty_the_table(&db).await;
    assert_eq!(store.load(&key).await.expect("load"), Some(state("a")));
}

#[actix_web::test]
async fn an_updated_session_loads_its_new_state() {
    let (store, db) = store().await;
    let key = store.save(state("a"), &ttl()).await.expect("save");
    let key = store.update(key, state("b"), &ttl()).await.expect("update");
    let row = DbSessionStore::new(db)
        .load(&key)
        .await
        .expect("load from the table");
    assert_eq!(row, Some(state("b")), "written through");
    assert_eq!(store.load(&key).await.expect("load"), Some(state("b")));
}

#[actix_web::test]
async fn a_deleted_session_no_longer_loads_from_memory_or_the_table() {
    let (store, db) = store().await;
    let key = store.save(state("a"), &ttl()).await.expect("save");
    store.delete(&key).await.expect("delete");
    assert_eq!(store.load(&key).await.expect("load"), None);
    let row = DbSessionStore::new(db).load(&key).await.expect("load");
    assert_eq!(row, None);
}

#[actix_web::test]
async fn an_update_of_a_deleted_session_goes_under_a_fresh_key_and_the_old_stays_dead() {
    let (store, _db) = store().await;
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
    let (store, _db) = store().await;
    let key = store
        .save(state("a"), &Duration::milliseconds(-1))
        .await
        .expect("save");
    assert_eq!(store.load(&key).await.expect("load"), None);
}
