//! [`Outlet`]: the bytes a socket writes, as the HTTP dispatcher pulls
//! them.
//!
//! - It merges two sources: the session's own frames (pings, pongs, the
//!   close frame), from its actor context, and the hub's frames, from the
//!   socket's outbox, whose encoded bytes go out as they are.
//! - Every pull stamps the socket's [`Progress`], so the hub can tell a
//!   client that stopped reading from a quiet one.
//! - The session's context is polled only when something woke it (a
//!   frame read, a timer, a message in its mailbox), not on every pull:
//!   a broadcast wakes thousands of sockets for their outbox alone, and
//!   polling each session's empty mailbox on the way cost about a tenth of
//!   a delivery. The context gets a waker of its own (`SessionWake`)
//!   that marks it due before it wakes the connection's task.
//! - When the session's stream ends (after a close frame), the outlet
//!   first yields once, so the dispatcher writes the close frame out, and
//!   then shuts the write side of the TCP connection down. The server
//!   closes first, as RFC 6455 §7.1.1 asks; left to itself the dispatcher
//!   would linger up to a second for the client to hang up, and every
//!   closing tab would hold its connection that long. A socket closed for
//!   falling behind (1013) is the exception: its backlog may not fit in
//!   one flush, so the dispatcher drains it at the client's pace, and
//!   the hub cuts the connection if the client never catches up.

use std::{
    pin::Pin,
    rc::Rc,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
};

use actix_web::web::Bytes;
use futures_util::{
    Stream,
    task::{ArcWake, AtomicWaker, waker_ref},
};

use crate::live::{courier::Claim, progress::Progress, tcp_cutoff::TcpConnection};

/// A socket's output; see the module documentation.
pub struct Outlet<S> {
    session: S,
    /// Polls the session's context when it is due.
    session_gate: SessionGate,
    outbox: Rc<Claim>,
    progress: Progress,
    connection: Option<TcpConnection>,
    /// The session's stream ended and the dispatcher was asked to flush.
    ending: bool,
}

impl<S> Outlet<S> {
    /// The output of `session` and `outbox`, on `connection` if the server
    /// knows it.
    pub fn new(
        session: S,
        outbox: Rc<Claim>,
        progress: Progress,
        connection: Option<TcpConnection>,
    ) -> Self {
        Self {
            session,
            session_gate: SessionGate::new(),
            outbox,
            progress,
            connection,
            ending: false,
        }
    }
}

impl<S, E> Stream for Outlet<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    type Item = Result<Bytes, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        this.progress.touch();
        if this.ending {
            // A client that fell behind still has a backlog in the
            // dispatcher's buffer: the dispatcher drains it, close frame
            // last, and the hub cuts the connection if it never does.
            if let Some(connection) = this.connection.take()
                && !this.outbox.is_behind()
            {
                connection.finish();
            }
            return Poll::Ready(None);
        }
        match this.session_gate.poll(&mut this.session, cx) {
            Poll::Ready(None) => {
                // Let the dispatcher write what it holds, then end.
                this.ending = true;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            Poll::Ready(Some(item)) => return Poll::Ready(Some(item)),
            Poll::Pending => {}
        }
        match this.outbox.next_bytes(cx) {
            Some(bytes) => Poll::Ready(Some(Ok(bytes))),
            None => Poll::Pending,
        }
    }
}

/// Polls a stream only when it is due: on the first poll, after it
/// yielded an item, and after it woke its waker.
struct SessionGate {
    wake: Arc<SessionWake>,
}

impl SessionGate {
    fn new() -> Self {
        Self {
            wake: Arc::new(SessionWake {
                // Due at first: the first poll starts the actor.
                due: AtomicBool::new(true),
                task: AtomicWaker::new(),
            }),
        }
    }

    /// Polls `session` if it is due, with a waker that makes it due again
    /// and wakes `cx`'s task; `Pending` if it is not due.
    fn poll<S: Stream + Unpin>(&self, session: &mut S, cx: &Context<'_>) -> Poll<Option<S::Item>> {
        if !self.wake.due.swap(false, Ordering::AcqRel) {
            return Poll::Pending;
        }
        // Registered before the poll: a wake-up from here on reaches this
        // task, and makes the session due again.
        self.wake.task.register(cx.waker());
        let waker = waker_ref(&self.wake);
        let polled = Pin::new(session).poll_next(&mut Context::from_waker(&waker));
        if let Poll::Ready(Some(_)) = polled {
            // It may hold more: ask it again on the next pull.
            self.wake.due.store(true, Ordering::Release);
        }
        polled
    }
}

/// The waker the session's context is polled with: it marks the context
/// due, then wakes the connection's task.
struct SessionWake {
    due: AtomicBool,
    task: AtomicWaker,
}

impl ArcWake for SessionWake {
    fn wake_by_ref(this: &Arc<Self>) {
        this.due.store(true, Ordering::Release);
        this.task.wake();
    }
}

#[cfg(test)]
mod tests {
    use std::{collections::VecDeque, sync::atomic::AtomicUsize, task::Waker};

    use futures_util::task::waker;

    use super::*;

    /// A stream that counts its polls, yields what it is given and keeps
    /// the waker of its last poll.
    #[derive(Default)]
    struct Counted {
        polls: usize,
        items: VecDeque<u32>,
        waker: Option<Waker>,
    }

    impl Stream for Counted {
        type Item = u32;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
            self.polls += 1;
            self.waker = Some(cx.waker().clone());
            match self.items.pop_front() {
                Some(item) => Poll::Ready(Some(item)),
                None => Poll::Pending,
            }
        }
    }

    /// A task's waker that counts its wake-ups.
    #[derive(Default)]
    struct Task(AtomicUsize);

    impl ArcWake for Task {
        fn wake_by_ref(this: &Arc<Self>) {
            this.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_session_is_polled_first_and_not_again_until_it_wakes() {
        let task = Arc::new(Task::default());
        let waker = waker(task.clone());
        let cx = Context::from_waker(&waker);
        let (gate, mut session) = (SessionGate::new(), Counted::default());
        assert!(gate.poll(&mut session, &cx).is_pending());
        // Pulls for the outbox's sake alone leave the session be.
        assert!(gate.poll(&mut session, &cx).is_pending());
        assert!(gate.poll(&mut session, &cx).is_pending());
        assert_eq!(session.polls, 1);

        // A timer, a frame read or a message wakes the session: its task
        // is woken, and the next pull polls it.
        session.items.push_back(7);
        session.waker.take().expect("the session's waker").wake();
        assert_eq!(task.0.load(Ordering::SeqCst), 1);
        assert_eq!(gate.poll(&mut session, &cx), Poll::Ready(Some(7)));
        assert_eq!(session.polls, 2);
    }

    #[test]
    fn a_session_that_yielded_is_polled_again_on_the_next_pull() {
        let task = Arc::new(Task::default());
        let waker = waker(task.clone());
        let cx = Context::from_waker(&waker);
        let gate = SessionGate::new();
        let mut session = Counted {
            items: VecDeque::from([1, 2]),
            ..Counted::default()
        };
        assert_eq!(gate.poll(&mut session, &cx), Poll::Ready(Some(1)));
        assert_eq!(gate.poll(&mut session, &cx), Poll::Ready(Some(2)));
        assert!(gate.poll(&mut session, &cx).is_pending());
        assert!(gate.poll(&mut session, &cx).is_pending());
        assert_eq!(session.polls, 3);
        assert_eq!(task.0.load(Ordering::SeqCst), 0);
    }
}
