//! [`Sliced`]: a WebSocket's outgoing byte stream, handed to the HTTP
//! dispatcher at most [`SLICE_BYTES`] at a time.
//!
//! actix-http copies every chunk of a response body into the connection's
//! write buffer (8 KiB to start with) before writing it to the socket,
//! and keeps polling the body until 32 KiB are buffered. That buffer lives
//! as long as the connection, and every page a frame ever touched in it
//! stays resident. The snapshot, a socket's first frame, lists everyone
//! online: a few kilobytes at a few hundred users, tens at a few thousand.
//! Copied in one piece it leaves each socket with that much memory for its
//! whole life (measured in `BENCHMARKS.md`: 17.5 KiB per socket at 400
//! users online against 13.1 KiB at 20).
//!
//! So the session's stream goes through this adapter. A chunk larger than
//! a slice is handed over one slice at a time (the slices share the
//! chunk's memory; nothing is copied), and after each slice the adapter
//! answers `Pending` once, having woken itself, so the dispatcher writes
//! what it holds to the socket before it asks for more. The bytes on the
//! wire are the same; only the buffer's high-water mark changes.

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use actix_web::web::Bytes;
use futures_util::Stream;

/// The most handed over at once: three quarters of a page. The write
/// buffer is a page-aligned 8 KiB allocation, and a flush that writes
/// everything leaves it empty at its start, so a slice lands in its first
/// page together with what may precede it there: the response's head (445
/// bytes for the upgrade) or a small frame. Fewer, larger slices mean
/// fewer flushes: each is a wake-up, a poll and a `send`.
pub const SLICE_BYTES: usize = 3072;

/// Wraps a stream of byte chunks; see the module documentation.
pub struct Sliced<S> {
    inner: S,
    /// The rest of a chunk larger than a slice.
    rest: Bytes,
    /// Whether the last poll handed over a slice, so this one yields.
    just_sliced: bool,
}

impl<S> Sliced<S> {
    /// Paces `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            rest: Bytes::new(),
            just_sliced: false,
        }
    }
}

impl<S, E> Stream for Sliced<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    type Item = Result<Bytes, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.just_sliced {
            // Let the dispatcher flush the slice it has before the next.
            this.just_sliced = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if this.rest.is_empty() {
            match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) if chunk.len() > SLICE_BYTES => this.rest = chunk,
                other => return other,
            }
        }
        let slice = this.rest.split_to(SLICE_BYTES.min(this.rest.len()));
        this.just_sliced = true;
        Poll::Ready(Some(Ok(slice)))
    }
}

#[cfg(test)]
mod tests {
    use futures_util::{StreamExt, stream};

    use super::*;

    fn chunks(sizes: &[usize]) -> Vec<Result<Bytes, ()>> {
        let mut byte = 0u8;
        sizes
            .iter()
            .map(|&n| {
                byte = byte.wrapping_add(1);
                Ok(Bytes::from(vec![byte; n]))
            })
            .collect()
    }

    #[actix_web::test]
    async fn small_chunks_pass_through_unchanged() {
        let input = chunks(&[10, SLICE_BYTES, 1]);
        let output: Vec<_> = Sliced::new(stream::iter(input.clone())).collect().await;
        assert_eq!(output, input);
    }

    #[actix_web::test]
    async fn a_large_chunk_comes_out_in_slices_with_the_same_bytes() {
        let input = chunks(&[3 * SLICE_BYTES + 5, 7]);
        let output: Vec<_> = Sliced::new(stream::iter(input.clone())).collect().await;
        let sizes: Vec<usize> = output.iter().map(|c| c.as_ref().unwrap().len()).collect();
        assert_eq!(sizes, [SLICE_BYTES, SLICE_BYTES, SLICE_BYTES, 5, 7]);
        let joined: Vec<u8> = output.iter().flat_map(|c| c.clone().unwrap()).collect();
        let expected: Vec<u8> = input.iter().flat_map(|c| c.clone().unwrap()).collect();
        assert_eq!(joined, expected);
    }

    #[test]
    fn after_a_slice_the_next_poll_yields_and_wakes_itself() {
        let input = chunks(&[2 * SLICE_BYTES]);
        let mut sliced = Sliced::new(stream::iter(input));
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut sliced = Pin::new(&mut sliced);
        assert!(matches!(
            sliced.as_mut().poll_next(&mut cx),
            Poll::Ready(Some(Ok(_)))
        ));
        assert!(sliced.as_mut().poll_next(&mut cx).is_pending());
        assert!(matches!(
            sliced.as_mut().poll_next(&mut cx),
            Poll::Ready(Some(Ok(_)))
        ));
    }

    #[actix_web::test]
    async fn errors_pass_through() {
        let input: Vec<Result<Bytes, &str>> = vec![Err("broken")];
        let output: Vec<_> = Sliced::new(stream::iter(input)).collect().await;
        assert_eq!(output, vec![Err("broken")]);
    }
}
