//! [`Outlet`]: the bytes a socket writes, as the HTTP dispatcher pulls
//! them.
//!
//! - It merges two sources: the session's own frames (pings, pongs, the
//!   close frame), from its actor context, and the hub's frames, from the
//!   socket's outbox, whose encoded bytes go out as they are.
//! - Every pull stamps the socket's [`Progress`], so the hub can tell a
//!   client that stopped reading from a quiet one.
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
    task::{Context, Poll},
};

use actix_web::web::Bytes;
use futures_util::Stream;

use crate::live::{courier::Claim, progress::Progress, tcp_cutoff::TcpConnection};

/// A socket's output; see the module documentation.
pub struct Outlet<S> {
    session: S,
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
        match Pin::new(&mut this.session).poll_next(cx) {
            Poll::Ready(None) => {
                // Let the dispatcher write what it holds, then end.
                this.ending = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Poll::Ready(Some(item)) => Poll::Ready(Some(item)),
            Poll::Pending => match this.outbox.next_bytes(cx) {
                Some(bytes) => Poll::Ready(Some(Ok(bytes))),
                None => Poll::Pending,
            },
        }
    }
}
