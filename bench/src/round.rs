//! One watched event: a user coming online or going offline, the moment
//! the generator caused it, and when each observer heard of it.
//!
//! The clock is the generator's own monotonic clock on both ends: the
//! trigger stamps [`Round::sent_at`] just before it acts (before the
//! handshake request for "online", before the close frame for
//! "offline"), and each observer stamps the frame as it reads it. The
//! latency therefore includes the server's handshake or close handling,
//! as a user would see it.

use std::{
    sync::{
        Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use tokio::sync::Notify;

use crate::stats::Latency;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// See the module docs.
pub struct Round {
    id: u64,
    username: String,
    online: bool,
    expected: usize,
    sent_at: Instant,
    delivered: AtomicUsize,
    duplicates: AtomicUsize,
    log: Mutex<Log>,
    complete: Notify,
}

#[derive(Default)]
struct Log {
    latency: Latency,
    last: Option<Instant>,
}

/// How one round ended.
pub struct Outcome {
    /// Observers that did not, before the timeout.
    pub missing: usize,
    /// Frames an observer got more than once.
    pub duplicates: usize,
    /// From the action to the last observer's frame.
    pub time_to_last: Option<Duration>,
    /// Per-delivery latency.
    pub latency: Latency,
}

impl Round {
    /// A round for `username` going `online` (or offline), expecting one
    /// delivery on each of `expected` observers. Its clock starts now.
    pub fn start(username: &str, online: bool, expected: usize) -> Self {
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            username: username.to_owned(),
            online,
            expected,
            sent_at: Instant::now(),
            delivered: AtomicUsize::new(0),
            duplicates: AtomicUsize::new(0),
            log: Mutex::new(Log::default()),
            complete: Notify::new(),
        }
    }

    /// This round's id, unique in the process.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Whether a presence frame is the one this round waits for.
    pub fn matches(&self, username: &str, online: bool) -> bool {
        online == self.online && username == self.username
    }

    /// One observer received the frame at `at`; `again` if this observer
    /// had already received it.
    pub fn record(&self, at: Instant, again: bool) {
        if again {
            self.duplicates.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if let Ok(mut log) = self.log.lock() {
            log.latency
                .record(at.saturating_duration_since(self.sent_at));
            log.last = Some(log.last.map_or(at, |last| last.max(at)));
        }
        if self.delivered.fetch_add(1, Ordering::AcqRel) + 1 == self.expected {
            self.complete.notify_one();
        }
    }

    /// Waits until every observer has the frame, or `timeout` after the
    /// action, whichever is first.
    pub async fn wait(&self, timeout: Duration) -> Outcome {
        let deadline = tokio::time::Instant::from_std(self.sent_at + timeout);
        if self.delivered.load(Ordering::Acquire) < self.expected {
            let _ = tokio::time::timeout_at(deadline, self.complete.notified()).await;
        }
        let delivered = self.delivered.load(Ordering::Acquire);
        let log = self.log.lock().map(|mut log| std::mem::take(&mut *log));
        let log = log.unwrap_or_default();
        Outcome {
            missing: self.expected.saturating_sub(delivered),
            duplicates: self.duplicates.load(Ordering::Relaxed),
            time_to_last: log
                .last
                .map(|last| last.saturating_duration_since(self.sent_at)),
            latency: log.latency,
        }
    }
}
