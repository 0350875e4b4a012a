//! [`Counts`]: how many users are online, away and in do not disturb, and
//! [`CountsGate`], which lets a count through only when it changed.
//!
//! Sockets that watch a few users still show how many are online in all.
//! Each gets the counts at most once a second, and only when they differ
//! from what it was sent last: a second of churn that ends where it began
//! sends nothing.
//!
//! The watching sockets are split into [`SLICES`] slices (by outbox id),
//! and each tick of the hub serves one slice, in turn. Sending everyone at
//! the same instant made a burst of one frame per watching socket every
//! second (10,000 writes at once at 10,000 pages), and every change
//! delivered during that burst waited behind it: it was the whole tail of
//! the watched-delivery latency. One slice per tick spreads the same
//! frames over the second.

use crate::live::{courier::OutboxId, status::Status};

/// How many slices the watching sockets are split into; one is served per
/// tick, so each socket's turn comes once every `SLICES` ticks.
pub const SLICES: usize = 10;

/// The slice a socket's outbox falls in. Outbox ids are handed out in
/// sequence on each worker, so the slices are even.
pub fn slice_of(outbox: OutboxId) -> usize {
    // The remainder is below SLICES, so it fits.
    (outbox.0 % SLICES as u64) as usize
}

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

impl Counts {
    /// One user goes from being shown as `from` to being shown as `to`.
    pub fn shift(&mut self, from: Status, to: Status) {
        if let Some(count) = self.of(from) {
            *count = count.saturating_sub(1);
        }
        if let Some(count) = self.of(to) {
            *count += 1;
        }
    }

    /// The count `status` falls in, if any (offline and invisible do not).
    fn of(&mut self, status: Status) -> Option<&mut usize> {
        match status {
            Status::Online => Some(&mut self.online),
            Status::Away => Some(&mut self.away),
            Status::Dnd => Some(&mut self.dnd),
            Status::Offline | Status::Invisible => None,
        }
    }
}

/// The counts last sent to each slice of the watching sockets, and whose
/// turn is next.
#[derive(Debug, Default)]
pub struct CountsGate {
    sent: [Option<Counts>; SLICES],
    turn: usize,
}

impl CountsGate {
    /// Takes the next slice's turn: that slice and `now`, if `now` differs
    /// from what the slice was sent last (it is then what it was sent).
    pub fn next_turn(&mut self, now: Counts) -> Option<(usize, Counts)> {
        let slice = self.turn;
        self.turn = (self.turn + 1) % SLICES;
        if self.sent[slice] == Some(now) {
            return None;
        }
        self.sent[slice] = Some(now);
        Some((slice, now))
    }

    /// One socket of `slice` was told `counts` on its own (the answer to
    /// its first watch). If the rest of its slice was told something
    /// else, the slice is due at its next turn whatever the counts are
    /// then: otherwise counts that went back to what the rest were told
    /// would never reach this socket.
    pub fn told_one(&mut self, slice: usize, counts: Counts) {
        if let Some(sent) = self.sent.get_mut(slice)
            && *sent != Some(counts)
        {
            *sent = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(online: usize, away: usize, dnd: usize) -> Counts {
        Counts { online, away, dnd }
    }

    #[test]
    fn the_first_counts_are_due_in_every_slice() {
        let mut gate = CountsGate::default();
        for slice in 0..SLICES {
            assert_eq!(
                gate.next_turn(counts(1, 0, 0)),
                Some((slice, counts(1, 0, 0)))
            );
        }
    }

    #[test]
    fn unchanged_counts_are_not_sent_to_a_slice_again() {
        let mut gate = CountsGate::default();
        for _ in 0..SLICES {
            gate.next_turn(counts(3, 1, 0));
        }
        for _ in 0..SLICES {
            assert_eq!(gate.next_turn(counts(3, 1, 0)), None);
        }
    }

    #[test]
    fn a_change_in_any_count_reaches_each_slice_once_at_its_turn() {
        let mut gate = CountsGate::default();
        for _ in 0..SLICES {
            gate.next_turn(counts(3, 1, 0));
        }
        for slice in 0..SLICES {
            assert_eq!(
                gate.next_turn(counts(3, 0, 1)),
                Some((slice, counts(3, 0, 1)))
            );
        }
        assert_eq!(gate.next_turn(counts(3, 0, 1)), None);
    }

    #[test]
    fn a_socket_told_other_counts_makes_its_slice_due_even_when_the_counts_went_back() {
        let mut gate = CountsGate::default();
        for _ in 0..SLICES {
            gate.next_turn(counts(3, 0, 0));
        }
        // A socket of slice 0 joins while 4 are online; then one leaves.
        gate.told_one(0, counts(4, 0, 0));
        assert_eq!(gate.next_turn(counts(3, 0, 0)), Some((0, counts(3, 0, 0))));
        // A socket told what its slice was told changes nothing.
        gate.told_one(1, counts(3, 0, 0));
        assert_eq!(gate.next_turn(counts(3, 0, 0)), None);
    }

    #[test]
    fn outboxes_in_sequence_spread_evenly_over_the_slices() {
        let mut per_slice = [0; SLICES];
        for id in 0..(SLICES as u64 * 7) {
            per_slice[slice_of(OutboxId(id))] += 1;
        }
        assert_eq!(per_slice, [7; SLICES]);
    }
}
