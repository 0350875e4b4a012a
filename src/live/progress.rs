//! [`Progress`]: when a socket's output last moved.
//!
//! The HTTP dispatcher pulls a socket's bytes only while it can write
//! them. A quiet but healthy socket is still pulled at every heartbeat
//! ping; a socket whose client stopped reading is not pulled at all once
//! the buffers are full, and then its session cannot even run its timers.
//! So the session's output stamps this on every pull, and the hub cuts a
//! socket whose stamp is older than the stall timeout, even when no event
//! comes to fill its queue.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

/// A shared, cheap stamp of the last time a socket's output was pulled.
#[derive(Clone, Debug)]
pub struct Progress {
    origin: Instant,
    /// Milliseconds from `origin` to the last pull.
    last: Arc<AtomicU64>,
}

impl Default for Progress {
    fn default() -> Self {
        Self {
            origin: Instant::now(),
            last: Arc::default(),
        }
    }
}

impl Progress {
    /// Records a pull now.
    pub fn touch(&self) {
        self.last
            .store(self.millis(Instant::now()), Ordering::Relaxed);
    }

    /// How long ago the last pull was, as of `now`.
    pub fn idle_at(&self, now: Instant) -> Duration {
        let last = self.last.load(Ordering::Relaxed);
        Duration::from_millis(self.millis(now).saturating_sub(last))
    }

    fn millis(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.origin).as_millis()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_socket_is_idle_for_as_long_as_nothing_pulled_its_output() {
        let progress = Progress::default();
        let start = Instant::now();
        progress.touch();
        assert!(progress.idle_at(start) <= Duration::from_millis(1));
        let later = start + Duration::from_secs(31);
        assert!(progress.idle_at(later) >= Duration::from_secs(30));
        let copy = progress.clone();
        copy.touch();
        assert!(progress.idle_at(Instant::now()) < Duration::from_secs(1));
    }
}
