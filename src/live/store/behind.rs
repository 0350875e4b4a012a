//! [`WriteBehind`]: what a database writer holds between the hub and the
//! database, as a plain type the writer task drives.
//!
//! Both writers (the `LoggedInUser` rows and the users' chosen profiles)
//! keep the latest unwritten state of each key, so however long the
//! database is away, what waits is bounded by the number of users, not by
//! the number of events. What the hub is to announce ("news") waits for
//! the write that carries it, but never for long: once a write fails, or
//! runs past its hold, news goes out at once and the states are written
//! when the database answers again. Nothing is dropped: a failed write's
//! states go back under any newer ones, to be retried.

use std::collections::BTreeMap;

/// One write to make: the states to apply, and whether they replace every
/// row of the writer's scope (a resync) rather than update some.
#[derive(Clone, Debug, PartialEq)]
pub struct Job<K, V> {
    /// Whether the states are the whole truth (rows not named go).
    pub replace: bool,
    /// The latest state of each key.
    pub states: BTreeMap<K, V>,
}

/// The unwritten states, the write in flight, and the news waiting on them.
#[derive(Debug)]
pub struct WriteBehind<K, V, N> {
    pending: BTreeMap<K, V>,
    replace: bool,
    in_flight: Option<Job<K, V>>,
    /// News that goes out when the write in flight ends.
    riding: Vec<N>,
    /// News that goes out when the next write ends.
    waiting: Vec<N>,
    /// The last write failed or the current one is slow: news goes out at once.
    degraded: bool,
}

impl<K, V, N> Default for WriteBehind<K, V, N> {
    fn default() -> Self {
        Self {
            pending: BTreeMap::new(),
            replace: false,
            in_flight: None,
            riding: Vec::new(),
            waiting: Vec::new(),
            degraded: false,
        }
    }
}

impl<K: Ord + Clone, V: Clone, N> WriteBehind<K, V, N> {
    /// Takes new states and their news; returns the news to send now.
    pub fn record(&mut self, states: impl IntoIterator<Item = (K, V)>, news: Vec<N>) -> Vec<N> {
        self.pending.extend(states);
        if self.degraded {
            news
        } else {
            self.waiting.extend(news);
            Vec::new()
        }
    }

    /// Makes `states` the whole truth, superseding everything unwritten.
    pub fn replace_all(&mut self, states: BTreeMap<K, V>) {
        self.pending = states;
        self.replace = true;
    }

    /// The next write to make, if none is in flight and something waits.
    pub fn start(&mut self) -> Option<Job<K, V>> {
        if self.in_flight.is_some() || (self.pending.is_empty() && !self.replace) {
            return None;
        }
        let job = Job {
            replace: std::mem::take(&mut self.replace),
            states: std::mem::take(&mut self.pending),
        };
        self.in_flight = Some(job.clone());
        self.riding.append(&mut self.waiting);
        Some(job)
    }

    /// The write in flight is taking too long to hold news back for:
    /// returns every waiting news, and later news goes out at once.
    pub fn held_too_long(&mut self) -> Vec<N> {
        self.degraded = true;
        self.release()
    }

    /// The write in flight landed; returns the news it carried.
    pub fn landed(&mut self) -> Vec<N> {
        self.in_flight = None;
        self.degraded = false;
        std::mem::take(&mut self.riding)
    }

    /// The write in flight failed: its states wait again (under newer ones,
    /// unless a replacement came since), and the news goes out.
    pub fn failed(&mut self) -> Vec<N> {
        if let Some(job) = self.in_flight.take()
            && !self.replace
        {
            self.replace = job.replace;
            for (key, state) in job.states {
                self.pending.entry(key).or_insert(state);
            }
        }
        self.degraded = true;
        self.release()
    }

    /// Whether a write is in flight.
    pub fn writing(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Whether something waits to be written (besides the write in flight).
    pub fn has_pending(&self) -> bool {
        self.replace || !self.pending.is_empty()
    }

    /// How many keys are not yet known written: at most one per key.
    pub fn backlog(&self) -> usize {
        let flying = self.in_flight.as_ref().map_or(0, |job| {
            job.states
                .keys()
                .filter(|key| !self.pending.contains_key(*key))
                .count()
        });
        self.pending.len() + flying
    }

    fn release(&mut self) -> Vec<N> {
        let mut news = std::mem::take(&mut self.riding);
        news.append(&mut self.waiting);
        news
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Behind = WriteBehind<&'static str, u32, &'static str>;

    #[test]
    fn news_waits_for_the_write_that_carries_it() {
        let mut behind = Behind::default();
        assert!(behind.record([("ann", 1)], vec!["ann 1"]).is_empty());
        let job = behind.start().unwrap();
        assert_eq!(job.states, BTreeMap::from([("ann", 1)]));
        assert!(behind.start().is_none(), "one write at a time");
        assert!(behind.record([("bob", 1)], vec!["bob 1"]).is_empty());
        assert_eq!(behind.landed(), vec!["ann 1"]);
        behind.start().unwrap();
        assert_eq!(behind.landed(), vec!["bob 1"]);
        assert_eq!(behind.backlog(), 0);
    }

    #[test]
    fn a_failed_write_is_retried_under_newer_states_and_its_news_goes_out() {
        let mut behind = Behind::default();
        behind.record([("ann", 1), ("bob", 1)], vec!["a", "b"]);
        behind.start().unwrap();
        behind.record([("ann", 2)], vec!["a2"]);
        assert_eq!(behind.failed(), vec!["a", "b", "a2"]);
        // Degraded: news goes out at once until a write lands.
        assert_eq!(behind.record([("cid", 1)], vec!["c"]), vec!["c"]);
        let retry = behind.start().unwrap();
        assert_eq!(
            retry.states,
            BTreeMap::from([("ann", 2), ("bob", 1), ("cid", 1)])
        );
        assert!(behind.landed().is_empty());
        assert!(behind.record([("ann", 3)], vec!["a3"]).is_empty());
    }

    #[test]
    fn the_backlog_counts_each_key_once_however_many_events() {
        let mut behind = Behind::default();
        behind.record([("ann", 1)], vec![]);
        behind.start().unwrap();
        for n in 0..1000 {
            behind.record([("ann", n), ("bob", n)], vec![]);
        }
        assert_eq!(behind.backlog(), 2);
        behind.failed();
        assert_eq!(behind.backlog(), 2);
    }

    #[test]
    fn a_slow_write_lets_news_go_out_and_keeps_going() {
        let mut behind = Behind::default();
        behind.record([("ann", 1)], vec!["a"]);
        behind.start().unwrap();
        behind.record([("bob", 1)], vec!["b"]);
        assert_eq!(behind.held_too_long(), vec!["a", "b"]);
        assert_eq!(behind.record([("cid", 1)], vec!["c"]), vec!["c"]);
        assert!(behind.writing());
        assert!(behind.landed().is_empty());
        assert!(behind.has_pending());
    }

    #[test]
    fn a_replacement_supersedes_a_failed_write() {
        let mut behind = Behind::default();
        behind.record([("ann", 1)], vec![]);
        behind.start().unwrap();
        behind.replace_all(BTreeMap::from([("bob", 1)]));
        behind.failed();
        let job = behind.start().unwrap();
        assert!(job.replace);
        assert_eq!(job.states, BTreeMap::from([("bob", 1)]));
    }

    #[test]
    fn a_failed_replacement_is_retried_as_one() {
        let mut behind = Behind::default();
        behind.replace_all(BTreeMap::from([("ann", 1)]));
        behind.start().unwrap();
        behind.record([("bob", 1)], vec![]);
        behind.failed();
        let job = behind.start().unwrap();
        assert!(job.replace);
        assert_eq!(job.states, BTreeMap::from([("ann", 1), ("bob", 1)]));
    }
}
