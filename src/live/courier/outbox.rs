//! [`Outbox`]: the frames waiting for one socket, and the claim its
//! session's output holds on it.
//!
//! The courier pushes batches in; the socket's output (the body stream the
//! HTTP dispatcher polls) takes frames out, one at a time, and wakes when
//! more come. Both run on the same worker thread, so the outbox is plain
//! `Rc` and `RefCell`, with no lock and no atomic.

use std::{
    cell::{Cell, RefCell},
    collections::VecDeque,
    rc::Rc,
    sync::Arc,
    task::{Context, Waker},
};

use actix_web::web::Bytes;

use super::{OutboxId, Shelf};
use crate::live::{
    frame::Frame,
    hub::{ConnId, Disconnect, Hub},
};

/// Frames queued for one socket beyond which the courier judges it
/// stalled: the bound on what a client that stops reading makes the
/// server hold, beyond the kernel's send buffer and the HTTP dispatcher's
/// 32 KiB. The frames themselves are shared with every other socket; a
/// waiting batch costs its socket 16 bytes, so a full outbox is at most
/// 16 KiB, about what a socket costs at rest.
///
/// It is large because a healthy client pauses too: a busy browser tab,
/// a garbage collection, a reader the OS did not schedule for 50 ms. A
/// courier hands every batch waiting in its mailbox to the outboxes
/// before any socket writes (actix drains a mailbox in one go), so when a
/// worker thread loses its core for a moment during a storm of 2,000
/// changes a second, its sockets find a hundred batches queued at once;
/// at the earlier bound of 64, that cut whole storms' worth of observers
/// on a busy machine. 1,024 is half a second of that storm. A client that
/// stops for good is still closed, by this bound or by the stall timeout.
///
/// In a cluster, news arrives from Redis in bursts and one batch may
/// carry many frames: a batch is still taken whole by an empty outbox, so
/// a healthy socket is not cut for one burst.
pub const OUTBOX_CAPACITY: usize = 1024;

/// What became of a push.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pushed {
    /// The batch waits for the socket's output.
    Queued,
    /// The socket is closing; the batch is not for it.
    Closed,
    /// The socket's client is not reading.
    Full,
}

/// The frames waiting for one socket.
pub(super) struct Outbox {
    batches: RefCell<VecDeque<Arc<[Frame]>>>,
    /// How many frames wait, over all batches.
    queued: Cell<usize>,
    /// How many frames of the front batch were taken already.
    taken: Cell<usize>,
    waker: RefCell<Option<Waker>>,
    /// The hub's id for the socket, from its snapshot on: until then the
    /// socket gets no batch meant for every joined socket.
    pub(super) conn: Cell<Option<ConnId>>,
    /// Closing, or cut off: takes nothing more.
    closed: Cell<bool>,
    /// Whether the socket watches some users rather than taking the full
    /// feed (see [`Audience::Watch`](super::Audience::Watch)).
    pub(super) watches: Cell<bool>,
}

impl Outbox {
    pub(super) fn new() -> Self {
        Self {
            batches: RefCell::new(VecDeque::new()),
            queued: Cell::new(0),
            taken: Cell::new(0),
            waker: RefCell::new(None),
            conn: Cell::new(None),
            closed: Cell::new(false),
            watches: Cell::new(false),
        }
    }

    /// Whether batches for every joined socket are for this one.
    pub(super) fn is_joined(&self) -> bool {
        self.conn.get().is_some() && !self.closed.get()
    }

    /// Whether it takes nothing more.
    pub(super) fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// Queues `batch` and wakes the socket's output, unless the outbox is
    /// closed or full.
    pub(super) fn push(&self, batch: Arc<[Frame]>) -> Pushed {
        if self.closed.get() {
            return Pushed::Closed;
        }
        // Every batch holds a frame at least, so this bounds the batches too.
        if self.queued.get() >= OUTBOX_CAPACITY {
            return Pushed::Full;
        }
        self.queued.set(self.queued.get() + batch.len());
        self.batches.borrow_mut().push_back(batch);
        if let Some(waker) = self.waker.borrow().as_ref() {
            waker.wake_by_ref();
        }
        Pushed::Queued
    }

    /// Drops what is queued and takes nothing more.
    pub(super) fn close(&self) {
        self.closed.set(true);
        self.batches.borrow_mut().clear();
        self.queued.set(0);
        self.taken.set(0);
    }
}

/// A session's hold on its outbox: the output takes frames through it, and
/// dropping it (the connection ending, however it ends) takes the outbox
/// off the courier's shelf.
pub struct Claim {
    pub(super) id: OutboxId,
    pub(super) outbox: Rc<Outbox>,
    pub(super) shelf: Rc<Shelf>,
    pub(super) hub: Hub,
    /// Whether the session told the hub it left.
    pub(super) said_goodbye: Cell<bool>,
    /// Whether the socket closes because its client fell behind.
    pub(super) behind: Cell<bool>,
}

impl Claim {
    /// The next frame's wire bytes, or `None` after registering `cx`'s
    /// waker for the next push.
    pub fn next_bytes(&self, cx: &Context<'_>) -> Option<Bytes> {
        let mut batches = self.outbox.batches.borrow_mut();
        let Some(front) = batches.front() else {
            let mut waker = self.outbox.waker.borrow_mut();
            if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *waker = Some(cx.waker().clone());
            }
            return None;
        };
        let taken = self.outbox.taken.get();
        let bytes = front.get(taken).map(Frame::wire);
        if bytes.is_some() {
            let queued = &self.outbox.queued;
            queued.set(queued.get().saturating_sub(1));
        }
        if taken + 1 >= front.len() {
            batches.pop_front();
            self.outbox.taken.set(0);
        } else {
            self.outbox.taken.set(taken + 1);
        }
        bytes.or_else(|| {
            drop(batches);
            self.next_bytes(cx)
        })
    }

    /// The session is closing: nothing more is queued for it.
    pub fn close(&self) {
        self.outbox.close();
    }

    /// The session is closing because its client fell behind: what is
    /// already in the HTTP layer's buffer, its close frame last, drains
    /// at the client's pace, so the server must not end the connection
    /// early.
    pub fn close_behind(&self) {
        self.behind.set(true);
        self.close();
    }

    /// Whether [`Claim::close_behind`] was called.
    pub fn is_behind(&self) -> bool {
        self.behind.get()
    }

    /// The session told the hub it left; dropping the claim need not.
    pub fn said_goodbye(&self) {
        self.said_goodbye.set(true);
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.shelf.remove(self.id);
        // A session that ended without a word (it panicked, or its actor
        // was dropped unpolled) must still leave the hub's roster.
        if !self.said_goodbye.get()
            && let Some(conn) = self.outbox.conn.get()
        {
            self.hub.tell(Disconnect { conn });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(frames: usize) -> Arc<[Frame]> {
        (0..frames).map(|_| Frame::of_text("{}")).collect()
    }

    #[test]
    fn an_outbox_that_is_not_read_is_full_after_its_capacity_in_frames_even_in_large_batches() {
        let outbox = Outbox::new();
        assert_eq!(outbox.push(batch(OUTBOX_CAPACITY / 2)), Pushed::Queued);
        assert_eq!(outbox.push(batch(OUTBOX_CAPACITY / 2)), Pushed::Queued);
        assert_eq!(outbox.push(batch(1)), Pushed::Full);
    }

    #[test]
    fn an_outbox_that_is_not_read_is_full_after_its_capacity_in_single_frames() {
        let outbox = Outbox::new();
        for _ in 0..OUTBOX_CAPACITY {
            assert_eq!(outbox.push(batch(1)), Pushed::Queued);
        }
        assert_eq!(outbox.push(batch(1)), Pushed::Full);
    }

    #[test]
    fn an_outbox_takes_half_a_second_of_a_storm_of_2000_changes_a_second_unread() {
        let outbox = Outbox::new();
        for _ in 0..1000 {
            assert_eq!(outbox.push(batch(1)), Pushed::Queued);
        }
    }

    #[test]
    fn an_empty_outbox_takes_a_burst_larger_than_its_capacity() {
        let outbox = Outbox::new();
        assert_eq!(outbox.push(batch(OUTBOX_CAPACITY * 4)), Pushed::Queued);
        assert_eq!(outbox.push(batch(1)), Pushed::Full);
    }

    #[test]
    fn a_closed_outbox_takes_nothing() {
        let outbox = Outbox::new();
        outbox.close();
        assert_eq!(outbox.push(batch(1)), Pushed::Closed);
    }
}
