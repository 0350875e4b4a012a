//! Where the server is, and which local addresses the generator dials from.
//!
//! A TCP connection is named by its four-tuple, so one source address can
//! hold only about 28,000 connections to one server port (the ephemeral
//! range). Spreading connections over `127.0.0.1`, `127.0.0.2`, ... lifts
//! that ceiling; every 127.0.0.0/8 address is local on Linux.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs},
    os::fd::AsRawFd,
    sync::atomic::{AtomicUsize, Ordering},
};

use anyhow::{Context, bail};
use tokio::net::{TcpSocket, TcpStream};

/// The server under test.
pub struct Target {
    /// The server's address.
    pub addr: SocketAddr,
    /// `host:port`, for the `Host` header and the WebSocket URL.
    pub authority: String,
    sources: Vec<IpAddr>,
    next_source: AtomicUsize,
}

impl Target {
    /// Parses `http://host:port` and prepares `sources` source addresses
    /// (`127.0.0.1` up to `127.0.0.N`; ignored for a non-loopback server).
    pub fn new(url: &str, sources: u8) -> anyhow::Result<Self> {
        let Some(rest) = url.strip_prefix("http://") else {
            bail!("--url must start with http:// (got {url})");
        };
        let authority = rest.trim_end_matches('/').to_owned();
        if authority.contains('/') {
            bail!("--url must not have a path (got {url})");
        }
        let addr = authority
            .to_socket_addrs()
            .with_context(|| format!("resolving {authority}"))?
            .find(SocketAddr::is_ipv4)
            .with_context(|| format!("{authority} has no IPv4 address"))?;
        let sources = if addr.ip().is_loopback() {
            (1..=sources.max(1))
                .map(|last| IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Self {
            addr,
            authority,
            sources,
            next_source: AtomicUsize::new(0),
        })
    }

    /// Opens a TCP connection to the server from the next source address.
    pub async fn dial(&self) -> anyhow::Result<TcpStream> {
        let socket = TcpSocket::new_v4()?;
        if !self.sources.is_empty() {
            let index = self.next_source.fetch_add(1, Ordering::Relaxed) % self.sources.len();
            bind_no_port(&socket)?;
            socket.bind(SocketAddr::new(self.sources[index], 0))?;
        }
        let stream = socket
            .connect(self.addr)
            .await
            .with_context(|| format!("connecting to {}", self.addr))?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }
}

/// Lets the kernel pick the source port at `connect` time, from the whole
/// four-tuple, instead of reserving one at `bind` for this address alone.
fn bind_no_port(socket: &TcpSocket) -> std::io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: a valid fd, a valid option and a pointer to a live c_int.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_IP,
            libc::IP_BIND_ADDRESS_NO_PORT,
            (&raw const on).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Raises this process's open-file limit to its hard limit and returns
/// the new soft limit.
pub fn raise_nofile_limit() -> u64 {
    // SAFETY: get/setrlimit only read and write the struct we pass.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        limit.rlim_cur
    }
}
