//! [`Announced`]: what this node's sockets have been told, as plain data.
//!
//! The hub decides changes in its [`Roster`](crate::live::roster::Roster),
//! but it announces them only after they are written (and, in a cluster,
//! after Redis has ordered them). Bulletins and resynchronisations can
//! repeat a state the sockets already know, so this type keeps the
//! announced online set and turns each change into a frame only when it
//! is news. It also remembers when recently offline users were last seen,
//! and serializes the snapshot a new socket gets once per change of the
//! set rather than once per socket.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::{
    auth::Username,
    live::{
        change::Change,
        protocol::{Frame, ServerFrame},
    },
};

/// How many recently offline users the snapshot reports last-seen times
/// for; older ones are in the rendered page already.
pub const LAST_SEEN_CAPACITY: usize = 10_000;

/// The announced online set, recent last-seen times and the cached snapshot.
#[derive(Default)]
pub struct Announced {
    online: BTreeSet<Username>,
    last_seen: HashMap<Username, i64>,
    snapshot: Option<Frame>,
}

impl Announced {
    /// Records `change`, and returns its frame if the sockets did not know
    /// it yet. `at` (Unix ms) is when an offline user was last seen.
    pub fn apply(&mut self, change: &Change, at: i64) -> Option<Frame> {
        let user = change.user();
        let online = change.is_online();
        if self.online.contains(user) == online {
            return None;
        }
        self.snapshot = None;
        if online {
            self.last_seen.remove(user);
            self.online.insert(user.clone());
        } else {
            self.online.remove(user);
            self.remember_last_seen(user.clone(), at);
        }
        Some(Frame::from(&ServerFrame::Presence {
            username: user.to_string(),
            is_logged_in: online,
            last_seen_at: (!online).then_some(at),
        }))
    }

    /// Makes the announced set `truth`, and returns the frames that tell
    /// the sockets the difference: who went offline first, then who came.
    pub fn reconcile(&mut self, truth: &BTreeSet<Username>, at: i64) -> Vec<Frame> {
        let gone: Vec<Change> = self
            .online
            .difference(truth)
            .map(|user| Change::WentOffline(user.clone()))
            .collect();
        let came: Vec<Change> = truth
            .difference(&self.online)
            .map(|user| Change::CameOnline(user.clone()))
            .collect();
        gone.iter()
            .chain(&came)
            .filter_map(|change| self.apply(change, at))
            .collect()
    }

    /// The snapshot frame a new socket gets first, serialized once per
    /// change of the online set.
    pub fn snapshot(&mut self) -> Frame {
        let (online, last_seen) = (&self.online, &self.last_seen);
        self.snapshot
            .get_or_insert_with(|| {
                Frame::from(&ServerFrame::Snapshot {
                    online: online.iter().map(ToString::to_string).collect(),
                    last_seen: last_seen
                        .iter()
                        .map(|(user, at)| (user.to_string(), *at))
                        .collect::<BTreeMap<_, _>>(),
                })
            })
            .clone()
    }

    /// How many users are announced online.
    pub fn online_count(&self) -> usize {
        self.online.len()
    }

    /// The users announced online, sorted.
    pub fn online(&self) -> impl Iterator<Item = &Username> {
        self.online.iter()
    }

    /// Forgets everything, as a node that stops serving does.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    fn remember_last_seen(&mut self, user: Username, at: i64) {
        self.last_seen.insert(user, at);
        if self.last_seen.len() > LAST_SEEN_CAPACITY {
            // Keep the newer half; amortised over many inserts, this is cheap.
            let mut times: Vec<i64> = self.last_seen.values().copied().collect();
            let middle = times.len() / 2;
            let cutoff = *times.select_nth_unstable(middle).1;
            self.last_seen.retain(|_, seen| *seen >= cutoff);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> Username {
        Username::parse(name).unwrap()
    }

    fn text(frame: Option<Frame>) -> Option<String> {
        frame.map(|frame| frame.as_str().to_owned())
    }

    #[test]
    fn a_new_status_is_news_and_a_repeated_one_is_not() {
        let mut announced = Announced::default();
        let online = Change::CameOnline(user("ann"));
        assert_eq!(
            text(announced.apply(&online, 5)).as_deref(),
            Some(r#"{"type":"presence","username":"ann","is_logged_in":true}"#)
        );
        assert_eq!(announced.apply(&online, 6), None);
    }

    #[test]
    fn going_offline_carries_and_remembers_the_last_seen_time() {
        let mut announced = Announced::default();
        announced.apply(&Change::CameOnline(user("ann")), 1);
        let frame = announced.apply(&Change::WentOffline(user("ann")), 42);
        assert_eq!(
            text(frame).as_deref(),
            Some(r#"{"type":"presence","username":"ann","is_logged_in":false,"last_seen_at":42}"#)
        );
        assert_eq!(
            announced.snapshot().as_str(),
            r#"{"type":"snapshot","online":[],"last_seen":{"ann":42}}"#
        );
    }

    #[test]
    fn a_user_who_comes_back_loses_their_last_seen_time() {
        let mut announced = Announced::default();
        announced.apply(&Change::CameOnline(user("ann")), 1);
        announced.apply(&Change::WentOffline(user("ann")), 2);
        announced.apply(&Change::CameOnline(user("ann")), 3);
        assert_eq!(
            announced.snapshot().as_str(),
            r#"{"type":"snapshot","online":["ann"]}"#
        );
    }

    #[test]
    fn the_snapshot_is_serialized_once_until_the_set_changes() {
        let mut announced = Announced::default();
        let first = announced.snapshot();
        let again = announced.snapshot();
        assert_eq!(first.as_str().as_ptr(), again.as_str().as_ptr());
        announced.apply(&Change::CameOnline(user("ann")), 1);
        assert_ne!(announced.snapshot(), first);
    }

    #[test]
    fn reconciling_announces_departures_first_and_only_the_difference() {
        let mut announced = Announced::default();
        announced.apply(&Change::CameOnline(user("ann")), 1);
        announced.apply(&Change::CameOnline(user("bob")), 1);
        let truth = BTreeSet::from([user("bob"), user("cid")]);
        let frames: Vec<String> = announced
            .reconcile(&truth, 9)
            .iter()
            .map(|frame| frame.as_str().to_owned())
            .collect();
        assert_eq!(frames.len(), 2);
        assert!(frames[0].contains(r#""username":"ann","is_logged_in":false"#));
        assert!(frames[1].contains(r#""username":"cid","is_logged_in":true"#));
        assert_eq!(announced.online_count(), 2);
    }

    #[test]
    fn last_seen_times_are_bounded_and_the_newest_are_kept() {
        let mut announced = Announced::default();
        for i in 0..=LAST_SEEN_CAPACITY as i64 {
            let name = user(&format!("u{i}"));
            announced.apply(&Change::CameOnline(name.clone()), i);
            announced.apply(&Change::WentOffline(name), i);
        }
        assert!(announced.last_seen.len() <= LAST_SEEN_CAPACITY);
        let newest = user(&format!("u{LAST_SEEN_CAPACITY}"));
        assert!(announced.last_seen.contains_key(&newest));
    }
}
