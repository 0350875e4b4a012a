//! The TCP connection under a WebSocket, for cutting off a client that
//! stopped reading, and for closing first after the close handshake.
//!
//! When a client stops reading, the kernel's buffers fill, the HTTP
//! dispatcher stops pulling frames from the session actor, and the actor
//! stops running at all: it cannot even process a request to close. The
//! hub then stops feeding it, asks it to close with 1013 (which it does if
//! the client resumes reading), and a few seconds later shuts the TCP
//! connection down from outside, which frees everything the connection
//! held.

use std::{
    net::SocketAddr,
    os::fd::{AsRawFd, RawFd},
};

use nix::sys::socket::{
    Shutdown, SockaddrLike, SockaddrStorage, getpeername, getsockname, setsockopt, shutdown,
    sockopt::SndBuf,
};

/// The kernel send buffer of a WebSocket connection. Frames are small, so
/// this holds seconds of backlog for a reading client, while a client that
/// stops reading fills it soon and is noticed, and memory per socket stays
/// small. (Linux doubles the value for its bookkeeping.)
pub const SEND_BUFFER_BYTES: usize = 32 * 1024;

/// Enough about one accepted connection to shut it down later, and to be
/// sure it is still the same connection when doing so.
#[derive(Clone, Copy, Debug)]
pub struct TcpConnection {
    fd: RawFd,
    peer: SocketAddr,
    local: SocketAddr,
}

impl TcpConnection {
    /// Describes an accepted stream.
    pub fn of(stream: &actix_web::rt::net::TcpStream) -> Option<Self> {
        Some(Self {
            fd: stream.as_raw_fd(),
            peer: stream.peer_addr().ok()?,
            local: stream.local_addr().ok()?,
        })
    }

    /// The client's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Caps the kernel send buffer at [`SEND_BUFFER_BYTES`], which also
    /// turns off its growth by autotuning. Call it only while serving a
    /// request on this connection.
    pub fn limit_send_buffer(&self) {
        // SAFETY: called from the handler of a request on this connection,
        // whose dispatcher owns the descriptor and keeps it open until the
        // handler has returned, so it is valid for this call.
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(self.fd) };
        if let Err(err) = setsockopt(&fd, SndBuf, &SEND_BUFFER_BYTES) {
            tracing::debug!(error = %err, "could not set SO_SNDBUF");
        }
    }

    /// Shuts the connection down in both directions, unless its descriptor
    /// was closed meanwhile or now belongs to another connection. Returns
    /// whether it did.
    pub fn cut(&self) -> bool {
        self.is_still_ours() && shutdown(self.fd, Shutdown::Both).is_ok()
    }

    /// Ends the server's side of the connection: the kernel sends what is
    /// buffered, then the FIN. Used once the close frame is written.
    pub fn finish(&self) -> bool {
        self.is_still_ours() && shutdown(self.fd, Shutdown::Write).is_ok()
    }

    /// Whether the descriptor still names this connection.
    fn is_still_ours(&self) -> bool {
        to_std(getpeername::<SockaddrStorage>(self.fd).ok()) == Some(self.peer)
            && to_std(getsockname::<SockaddrStorage>(self.fd).ok()) == Some(self.local)
    }
}

fn to_std(address: Option<SockaddrStorage>) -> Option<SocketAddr> {
    let address = address?;
    if let Some(v4) = address.as_sockaddr_in() {
        return Some(SocketAddr::V4((*v4).into()));
    }
    address
        .as_sockaddr_in6()
        .map(|v6| SocketAddr::V6((*v6).into()))
        .filter(|_| address.family().is_some())
}
