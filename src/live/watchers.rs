//! [`Watchers`]: which sockets watch which users, both ways.
//!
//! A page that shows a few users out of many says which (`watch`); from
//! then on its socket gets news only about them. A socket that never says
//! so is on the full feed, as a client written for the seed expects, and
//! is not in here at all.
//!
//! The hub asks, for each change, who watches its user: the index from
//! user to watchers answers without looking at any other socket, so a
//! change costs in proportion to its watchers. Each socket watches at most
//! [`MAX_WATCHED`] users, and sockets are capped, so both maps are bounded.

use std::collections::{HashMap, HashSet};

use crate::{auth::Username, live::roster::ConnId};

/// The most users one socket may watch: a page's worth and then some.
pub const MAX_WATCHED: usize = 500;

/// A watch set larger than [`MAX_WATCHED`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a socket may watch at most {MAX_WATCHED} users")]
pub struct TooMany;

/// Watch sets by socket, and watchers by user.
#[derive(Debug, Default)]
pub struct Watchers {
    sets: HashMap<ConnId, HashSet<Username>>,
    index: HashMap<Username, HashSet<ConnId>>,
}

impl Watchers {
    /// Makes `users` what `conn` watches, replacing what it watched, and
    /// returns the users it did not watch before, in the order given
    /// (without repeats). Too many users change nothing.
    pub fn watch(&mut self, conn: ConnId, users: Vec<Username>) -> Result<Vec<Username>, TooMany> {
        if users.len() > MAX_WATCHED {
            return Err(TooMany);
        }
        let mut before = self.sets.remove(&conn).unwrap_or_default();
        let mut now = HashSet::with_capacity(users.len());
        let mut added = Vec::new();
        for user in users {
            if now.contains(&user) {
                continue;
            }
            if !before.remove(&user) {
                self.index.entry(user.clone()).or_default().insert(conn);
                added.push(user.clone());
            }
            now.insert(user);
        }
        // What is left of the old set is no longer watched.
        for user in before {
            self.unindex(&user, conn);
        }
        self.sets.insert(conn, now);
        Ok(added)
    }

    /// Forgets `conn`'s watch; returns whether it had one.
    pub fn forget(&mut self, conn: ConnId) -> bool {
        let Some(set) = self.sets.remove(&conn) else {
            return false;
        };
        for user in set {
            self.unindex(&user, conn);
        }
        true
    }

    /// Whether `conn` watches (rather than taking the full feed).
    pub fn is_watching(&self, conn: ConnId) -> bool {
        self.sets.contains_key(&conn)
    }

    /// The sockets that watch `user`.
    pub fn watchers_of(&self, user: &Username) -> impl Iterator<Item = ConnId> + '_ {
        self.index.get(user).into_iter().flatten().copied()
    }

    /// How many sockets watch.
    pub fn sockets(&self) -> usize {
        self.sets.len()
    }

    /// Forgets every watch.
    pub fn clear(&mut self) {
        self.sets.clear();
        self.index.clear();
    }

    fn unindex(&mut self, user: &Username, conn: ConnId) {
        if let Some(conns) = self.index.get_mut(user) {
            conns.remove(&conn);
            if conns.is_empty() {
                self.index.remove(user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(names: &[&str]) -> Vec<Username> {
        names.iter().map(|n| Username::parse(n).unwrap()).collect()
    }

    fn watchers_of(w: &Watchers, name: &str) -> Vec<u64> {
        let mut conns: Vec<u64> = w.watchers_of(&users(&[name])[0]).map(|c| c.0).collect();
        conns.sort_unstable();
        conns
    }

    #[test]
    fn a_socket_that_never_watched_is_on_the_full_feed() {
        let w = Watchers::default();
        assert!(!w.is_watching(ConnId(1)));
        assert_eq!(w.sockets(), 0);
    }

    #[test]
    fn watching_indexes_each_user_to_its_watchers() {
        let mut w = Watchers::default();
        w.watch(ConnId(1), users(&["ann", "bob"])).unwrap();
        w.watch(ConnId(2), users(&["bob"])).unwrap();
        assert_eq!(watchers_of(&w, "ann"), [1]);
        assert_eq!(watchers_of(&w, "bob"), [1, 2]);
        assert_eq!(watchers_of(&w, "cid"), Vec::<u64>::new());
        assert!(w.is_watching(ConnId(2)));
    }

    #[test]
    fn a_new_watch_replaces_the_old_and_returns_only_the_newly_watched() {
        let mut w = Watchers::default();
        w.watch(ConnId(1), users(&["ann", "bob"])).unwrap();
        let added = w.watch(ConnId(1), users(&["bob", "cid", "cid"])).unwrap();
        assert_eq!(added, users(&["cid"]));
        assert_eq!(watchers_of(&w, "ann"), Vec::<u64>::new());
        assert_eq!(watchers_of(&w, "bob"), [1]);
        assert_eq!(watchers_of(&w, "cid"), [1]);
        assert!(!w.index.contains_key(&users(&["ann"])[0]));
    }

    #[test]
    fn watching_nobody_still_leaves_the_full_feed() {
        let mut w = Watchers::default();
        assert_eq!(w.watch(ConnId(1), Vec::new()).unwrap(), Vec::new());
        assert!(w.is_watching(ConnId(1)));
    }

    #[test]
    fn too_many_users_change_nothing() {
        let mut w = Watchers::default();
        w.watch(ConnId(1), users(&["ann"])).unwrap();
        let many: Vec<Username> = (0..=MAX_WATCHED)
            .map(|i| Username::parse(&format!("u{i}")).unwrap())
            .collect();
        assert_eq!(w.watch(ConnId(1), many), Err(TooMany));
        assert_eq!(watchers_of(&w, "ann"), [1]);
        assert_eq!(w.index.len(), 1);
    }

    #[test]
    fn forgetting_a_socket_empties_its_entries_in_the_index() {
        let mut w = Watchers::default();
        w.watch(ConnId(1), users(&["ann", "bob"])).unwrap();
        w.watch(ConnId(2), users(&["bob"])).unwrap();
        assert!(w.forget(ConnId(1)));
        assert!(!w.forget(ConnId(1)));
        assert_eq!(watchers_of(&w, "bob"), [2]);
        assert_eq!(w.index.len(), 1);
        assert_eq!(w.sockets(), 1);
    }
}
