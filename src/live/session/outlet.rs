//! [`Outlet`]: the bytes a session writes, as the HTTP dispatcher pulls
//! them.
//!
//! - Every pull stamps the socket's [`Progress`], so the hub can tell a
//!   client that stopped reading from a quiet one.
//! - When the session's stream ends (after a close frame), the outlet
//!   first yields once, so the dispatcher writes the close frame out, and
//!   then shuts the write side of the TCP connection down. The server
//!   closes first, as RFC 6455 §7.1.1 asks; left to itself the dispatcher
//!   would linger up to a second for the client to hang up, and every
//!   closing tab would hold its connection that long.

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use actix_web::web::Bytes;
use futures_util::Stream;

use crate::live::{progress::Progress, tcp_cutoff::TcpConnection};

/// Wraps a session's byte stream; see the module documentation.
pub struct Outlet<S> {
    inner: S,
    progress: Progress,
    connection: Option<TcpConnection>,
    /// The inner stream ended and the dispatcher has been asked to flush.
    ending: bool,
}

impl<S> Outlet<S> {
    /// The output of `inner`, on `connection` if the server knows it.
    pub fn new(inner: S, progress: Progress, connection: Option<TcpConnection>) -> Self {
        Self {
            inner,
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
            if let Some(connection) = this.connection.take() {
                connection.finish();
            }
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(None) => {
                // Let the dispatcher write what it holds, then end.
                this.ending = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::{StreamExt, stream};

    use super::*;

    #[actix_web::test]
    async fn the_bytes_pass_through_and_the_end_comes_after_one_more_poll() {
        let input: Vec<Result<Bytes, ()>> = vec![Ok(Bytes::from_static(b"ab"))];
        let progress = Progress::default();
        let mut outlet = Outlet::new(stream::iter(input), progress, None);
        assert_eq!(outlet.next().await, Some(Ok(Bytes::from_static(b"ab"))));
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(&mut outlet).poll_next(&mut cx).is_pending());
        assert!(matches!(
            Pin::new(&mut outlet).poll_next(&mut cx),
            Poll::Ready(None)
        ));
    }
}
