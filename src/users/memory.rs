//! [`AccountMemory`]: the accounts a single node remembers, so that a
//! request's user is known with no query.
//!
//! Every request of a logged-in user, each socket's handshake among them,
//! needs its account: the name, and the status the user chose. With the
//! session itself remembered (see [`crate::sessions`]), that read was the
//! handshake's last database round trip (BENCHMARKS.md, "The account read
//! on the handshake").
//!
//! Two facts are remembered, each under the key its writer knows:
//! - an account's name by its id. Neither ever changes, so a copy can
//!   never be stale.
//! - the profile (do not disturb, invisible, a custom status) by name. The
//!   profile writer ([`ProfileStore`](crate::live::profile_store)) is its
//!   only writer, and it keeps memory in step: it forgets the name before
//!   it writes the row and remembers what it wrote after. A read of the
//!   table remembers what it read only if memory learned nothing
//!   meanwhile, so a read that raced a write cannot bring the old choice
//!   back.
//!
//! In a cluster another node writes profiles too, so there memory is
//! [`AccountMemory::off`] and every request reads the row, as before.
//! Memory is bounded: [`MAX_ACCOUNTS`] of each, least recently used out; a
//! forgotten account only costs a query again.

use moka::{policy::EvictionPolicy, sync::Cache};

use crate::{auth::Username, live::status::Profile};

/// The most accounts remembered, of names and of profiles each: some
/// 100 bytes an entry, so about 25 MiB for each at most.
pub const MAX_ACCOUNTS: u64 = 1 << 18;

/// What this node knows of accounts; nothing at all when off.
#[derive(Clone)]
pub struct AccountMemory {
    known: Option<Known>,
}

#[derive(Clone)]
struct Known {
    names: Cache<i64, Username>,
    profiles: Cache<Username, Profile>,
}

impl AccountMemory {
    /// No memory: every request reads the account (a cluster node).
    pub fn off() -> Self {
        Self { known: None }
    }

    /// At most `max` names and `max` profiles remembered (a single node).
    pub fn new(max: u64) -> Self {
        // LRU rather than TinyLFU, which may refuse a new entry while
        // full: a refused write would leave an older read in its place.
        let names = Cache::builder()
            .max_capacity(max)
            .eviction_policy(EvictionPolicy::lru())
            .build();
        let profiles = Cache::builder()
            .max_capacity(max)
            .eviction_policy(EvictionPolicy::lru())
            .build();
        Self {
            known: Some(Known { names, profiles }),
        }
    }

    /// Account `id`'s name and profile, when memory knows both.
    pub(super) fn recall(&self, id: i64) -> Option<(Username, Profile)> {
        let known = self.known.as_ref()?;
        let name = known.names.get(&id)?;
        let profile = known.profiles.get(&name)?;
        Some((name, profile))
    }

    /// Account `id` was just read from the table. Its profile is kept
    /// only if memory has none: one it has came from a write at least as
    /// new as this read.
    pub(super) fn loaded(&self, id: i64, name: &Username, profile: Profile) {
        if let Some(known) = &self.known {
            known.names.insert(id, name.clone());
            known.profiles.entry_by_ref(name).or_insert(profile);
        }
    }

    /// `name`'s profile is about to be written: forgotten until the write
    /// lands, so a failed write leaves the choice to the table.
    pub fn saving(&self, name: &Username) {
        if let Some(known) = &self.known {
            known.profiles.invalidate(name);
        }
    }

    /// `name`'s profile was just written to the table.
    pub fn saved(&self, name: &Username, profile: Profile) {
        if let Some(known) = &self.known {
            known.profiles.insert(name.clone(), profile);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::status::Manual;

    fn name(text: &str) -> Username {
        Username::parse(text).expect("a valid name")
    }

    fn dnd() -> Profile {
        Profile {
            manual: Manual::Dnd,
            custom: None,
        }
    }

    #[test]
    fn an_account_read_once_is_recalled_by_its_id() {
        let memory = AccountMemory::new(16);
        assert_eq!(memory.recall(7), None);
        memory.loaded(7, &name("ann"), dnd());
        assert_eq!(memory.recall(7), Some((name("ann"), dnd())));
    }

    #[test]
    fn a_read_that_raced_a_write_does_not_bring_the_old_profile_back() {
        let memory = AccountMemory::new(16);
        memory.saving(&name("ann"));
        memory.saved(&name("ann"), dnd());
        // The read saw the row before the write landed.
        memory.loaded(7, &name("ann"), Profile::default());
        assert_eq!(memory.recall(7), Some((name("ann"), dnd())));
    }

    #[test]
    fn a_write_replaces_what_a_read_remembered() {
        let memory = AccountMemory::new(16);
        memory.loaded(7, &name("ann"), Profile::default());
        memory.saving(&name("ann"));
        assert_eq!(memory.recall(7), None, "forgotten while the write is out");
        memory.saved(&name("ann"), dnd());
        assert_eq!(memory.recall(7), Some((name("ann"), dnd())));
    }

    #[test]
    fn memory_that_is_off_knows_nothing() {
        let memory = AccountMemory::off();
        memory.loaded(7, &name("ann"), Profile::default());
        memory.saved(&name("ann"), dnd());
        assert_eq!(memory.recall(7), None);
    }

    /// A database with `ann` in it, and her id.
    async fn database_with_ann() -> (sea_orm::DatabaseConnection, i64) {
        let db = crate::db::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        crate::db::migrate(&db).await.expect("migrations");
        let ann = crate::users::create(&db, &name("ann"), "hash".into())
            .await
            .expect("ann");
        (db, ann.id)
    }

    #[actix_web::test]
    async fn a_single_node_reads_an_account_once_then_answers_from_memory() {
        let (db, id) = database_with_ann().await;
        let memory = AccountMemory::new(16);
        let first = crate::users::name_and_profile(&db, &memory, id).await;
        assert_eq!(
            first.expect("read"),
            Some((name("ann"), Profile::default()))
        );
        // Behind memory's back: what the next read says came from memory.
        crate::users::save_profile(&db, &name("ann"), &dnd())
            .await
            .expect("write");
        let again = crate::users::name_and_profile(&db, &memory, id).await;
        assert_eq!(
            again.expect("read"),
            Some((name("ann"), Profile::default()))
        );
    }

    #[actix_web::test]
    async fn a_cluster_node_reads_the_account_every_time() {
        let (db, id) = database_with_ann().await;
        let memory = AccountMemory::off();
        crate::users::name_and_profile(&db, &memory, id)
            .await
            .expect("read");
        crate::users::save_profile(&db, &name("ann"), &dnd())
            .await
            .expect("write");
        let again = crate::users::name_and_profile(&db, &memory, id).await;
        assert_eq!(again.expect("read"), Some((name("ann"), dnd())));
    }

    #[actix_web::test]
    async fn an_id_with_no_account_is_nobody_and_is_not_remembered() {
        let (db, id) = database_with_ann().await;
        let memory = AccountMemory::new(16);
        let nobody = crate::users::name_and_profile(&db, &memory, id + 1).await;
        assert_eq!(nobody.expect("read"), None);
        assert_eq!(memory.recall(id + 1), None);
    }

    #[test]
    fn memory_holds_at_most_its_bound() {
        let memory = AccountMemory::new(100);
        for id in 0..10_000 {
            memory.loaded(id, &name(&format!("u{id}")), Profile::default());
        }
        let known = memory.known.as_ref().expect("on");
        known.names.run_pending_tasks();
        known.profiles.run_pending_tasks();
        assert!(known.names.entry_count() <= 100);
        assert!(known.profiles.entry_count() <= 100);
    }
}
