//! [`Counts`]: how many users are online, away and in do not disturb, and
//! [`CountsGate`], which lets a count through only when it changed.
//!
//! Sockets that watch a few users still show how many are online in all.
//! The hub sends them the counts at most once a second (its tick), and
//! only when they differ from what it sent last: a second of churn that
//! ends where it began sends nothing.

/// The users shown as online, away and in do not disturb, cluster-wide.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Shown online.
    pub online: usize,
    /// Shown away.
    pub away: usize,
    /// Shown in do not disturb.
    pub dnd: usize,
}

/// The counts last sent to the watching sockets.
#[derive(Debug, Default)]
pub struct CountsGate {
    sent: Option<Counts>,
}

impl CountsGate {
    /// `now`, if it differs from what was sent last; it is then what was
    /// sent last.
    pub fn due(&mut self, now: Counts) -> Option<Counts> {
        if self.sent == Some(now) {
            return None;
        }
        self.sent = Some(now);
        Some(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(online: usize, away: usize, dnd: usize) -> Counts {
        Counts { online, away, dnd }
    }

    #[test]
    fn the_first_counts_are_always_due() {
        let mut gate = CountsGate::default();
        assert_eq!(gate.due(Counts::default()), Some(Counts::default()));
    }

    #[test]
    fn unchanged_counts_are_not_sent_again() {
        let mut gate = CountsGate::default();
        gate.due(counts(3, 1, 0));
        assert_eq!(gate.due(counts(3, 1, 0)), None);
    }

    #[test]
    fn a_change_in_any_count_is_due() {
        let mut gate = CountsGate::default();
        gate.due(counts(3, 1, 0));
        assert_eq!(gate.due(counts(3, 0, 1)), Some(counts(3, 0, 1)));
        assert_eq!(gate.due(counts(3, 0, 1)), None);
    }
}
