//! [`FrameBudget`]: how many frames a client may send.
//!
//! A page sends a ping now and then, and a frame when it goes idle or
//! active or when its user picks a status: a handful a minute. A client
//! that sends more than [`PER_SECOND`] a second (after a burst of
//! [`BURST`]) has its excess frames ignored; one that keeps at it, with
//! [`FLOOD`] excess frames within [`FLOOD_WINDOW`], is flooding, and its
//! socket is closed with 1008.

use std::{
    num::NonZeroU32,
    time::{Duration, Instant},
};

use governor::{
    Quota, RateLimiter,
    clock::MonotonicClock,
    middleware::NoOpMiddleware,
    state::{InMemoryState, NotKeyed},
};

/// A rate limiter on the standard monotonic clock. governor's default,
/// the `quanta` clock, calibrates itself (CPUID, a timing loop) every
/// time one is made: 5 % of the server's CPU when thousands of sockets
/// open a second, each making its own limiter. `Instant::now` costs a
/// few nanoseconds per frame, and a client may send five a second.
type Limiter = RateLimiter<NotKeyed, InMemoryState, MonotonicClock, NoOpMiddleware<Instant>>;

/// Frames a client may send per second, on average.
pub const PER_SECOND: u32 = 5;
/// Frames a client may send at once.
pub const BURST: u32 = 10;
/// Excess frames within [`FLOOD_WINDOW`] that close the socket.
pub const FLOOD: u32 = 50;
/// The window excess frames are counted over.
pub const FLOOD_WINDOW: Duration = Duration::from_secs(10);

/// What to do with one client frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Handle it.
    Take,
    /// Ignore it: over the rate.
    Ignore,
    /// Close the socket: a flood.
    Flood,
}

/// One socket's allowance of client frames.
pub struct FrameBudget {
    limiter: Limiter,
    excess: u32,
    window_start: Instant,
}

impl Default for FrameBudget {
    fn default() -> Self {
        let per_second = NonZeroU32::new(PER_SECOND).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(BURST).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::direct_with_clock(
                Quota::per_second(per_second).allow_burst(burst),
                MonotonicClock,
            ),
            excess: 0,
            window_start: Instant::now(),
        }
    }
}

impl FrameBudget {
    /// Counts one frame arriving at `now`.
    pub fn spend(&mut self, now: Instant) -> Verdict {
        if self.limiter.check().is_ok() {
            return Verdict::Take;
        }
        if now.duration_since(self.window_start) > FLOOD_WINDOW {
            self.window_start = now;
            self.excess = 0;
        }
        self.excess += 1;
        if self.excess >= FLOOD {
            Verdict::Flood
        } else {
            Verdict::Ignore
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_taken_and_the_excess_ignored() {
        let mut budget = FrameBudget::default();
        let now = Instant::now();
        let verdicts: Vec<Verdict> = (0..BURST + 5).map(|_| budget.spend(now)).collect();
        assert!(
            verdicts[..BURST as usize]
                .iter()
                .all(|v| *v == Verdict::Take)
        );
        assert!(
            verdicts[BURST as usize..]
                .iter()
                .all(|v| *v == Verdict::Ignore)
        );
    }

    #[test]
    fn a_flood_closes_the_socket() {
        let mut budget = FrameBudget::default();
        let now = Instant::now();
        let verdicts: Vec<Verdict> = (0..BURST + FLOOD).map(|_| budget.spend(now)).collect();
        assert_eq!(verdicts.last(), Some(&Verdict::Flood));
    }

    #[test]
    fn excess_frames_spread_over_time_are_forgiven() {
        let mut budget = FrameBudget::default();
        let start = Instant::now();
        for _ in 0..BURST {
            budget.spend(start);
        }
        for round in 0..(FLOOD * 2) {
            let later = start + FLOOD_WINDOW * (round + 1) + Duration::from_millis(1);
            assert_ne!(budget.spend(later), Verdict::Flood);
        }
    }
}
