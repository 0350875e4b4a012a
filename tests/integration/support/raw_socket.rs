//! A WebSocket spoken by hand over a plain TCP stream, for tests that
//! must see what the server does to the TCP connection itself (when it
//! closes it), which a WebSocket library hides.

use std::{
    net::{IpAddr, SocketAddr},
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};

use super::Browser;

/// An upgraded connection, with the handshake's answer read.
pub struct RawSocket {
    /// The TCP stream after the `101`.
    pub stream: TcpStream,
}

impl RawSocket {
    /// Upgrades `/users/` with `browser`'s cookies. Returns the HTTP
    /// status line's code when the server refuses.
    pub async fn open(browser: &Browser) -> Result<Self, u16> {
        Self::open_from(browser, "127.0.0.1".parse().expect("an address")).await
    }

    /// Like [`open`](Self::open), from the loopback address `local`, as if
    /// from another machine.
    pub async fn open_from(browser: &Browser, local: IpAddr) -> Result<Self, u16> {
        let host = browser.address.trim_start_matches("http://").to_owned();
        let socket = TcpSocket::new_v4().expect("a socket");
        socket.bind(SocketAddr::new(local, 0)).expect("bind");
        let mut stream = socket
            .connect(host.parse().expect("an address"))
            .await
            .expect("connect");
        let cookie = browser.cookie_header().unwrap_or_default();
        let request = format!(
            "GET /users/ HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\nCookie: {cookie}\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            let read = stream.read(&mut byte).await.expect("read the answer");
            assert_eq!(read, 1, "the server closed during the handshake");
            head.push(byte[0]);
        }
        let code = String::from_utf8_lossy(&head)
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        if code == 101 {
            Ok(Self { stream })
        } else {
            Err(code)
        }
    }

    /// Sends a masked Close frame with `code`, as a browser does.
    pub async fn send_close(&mut self, code: u16) {
        let mask = [1u8, 2, 3, 4];
        let payload = code.to_be_bytes();
        let mut frame = vec![0x88, 0x80 | payload.len() as u8];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&frame).await.expect("send close");
    }

    /// Reads until the server closes the TCP connection, and returns how
    /// long that took, or `None` if it did not within `limit`.
    pub async fn time_to_eof(&mut self, limit: Duration) -> Option<Duration> {
        let started = tokio::time::Instant::now();
        let mut buffer = [0u8; 4096];
        tokio::time::timeout(limit, async {
            loop {
                match self.stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => continue,
                }
            }
        })
        .await
        .ok()
        .map(|()| started.elapsed())
    }
}
