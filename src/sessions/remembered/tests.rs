//! What a node remembers of the session table, one sentence each.

use super::*;

const LATER: i64 = i64::MAX;

fn body(text: &str) -> Arc<str> {
    Arc::from(text)
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
    let cache = memory.cache.as_ref().expect("memory is on");
    cache.run_pending_tasks();
    assert!(
        cache.weighted_size() <= 64 * 1024,
        "{} bytes",
        cache.weighted_size()
    );
    assert!(cache.entry_count() < 10_000);
}

#[test]
fn memory_that_is_off_knows_nothing_even_what_was_written() {
    let memory = Recollection::off();
    memory.wrote("k", body("{}"), LATER);
    memory.gone("j");
    assert_eq!(memory.recall("k", 0), None);
    assert_eq!(memory.recall("j", 0), None);
}
