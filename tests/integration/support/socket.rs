//! A WebSocket client for `/users/` that can misbehave on purpose.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use presence::live::protocol::ServerFrame;
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{
        self, Message,
        client::IntoClientRequest,
        http::{HeaderValue, StatusCode},
        protocol::{CloseFrame, frame::coding::CloseCode},
    },
};

use super::Browser;

/// The longest a handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a test waits for something that should happen.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// A connected test socket.
pub struct TestSocket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl TestSocket {
    /// Opens `/users/` with `browser`'s cookies and an optional `Origin`.
    /// A refused upgrade comes back as its HTTP status.
    pub async fn open(browser: &Browser, origin: Option<&str>) -> Result<Self, StatusCode> {
        Self::open_as(browser, origin, None).await
    }

    /// [`open`](Self::open) with a `User-Agent`, as a phone's browser
    /// sends one.
    pub async fn open_as(
        browser: &Browser,
        origin: Option<&str>,
        user_agent: Option<&str>,
    ) -> Result<Self, StatusCode> {
        Self::open_path(browser, "/users/", origin, user_agent).await
    }

    /// Opens `/users/?watch`, as the list page does: it watches from its
    /// first frame.
    pub async fn open_watching(browser: &Browser) -> Self {
        let origin = browser.address.clone();
        Self::open_path(browser, "/users/?watch", Some(&origin), None)
            .await
            .expect("WebSocket upgrade accepted")
    }

    async fn open_path(
        browser: &Browser,
        path: &str,
        origin: Option<&str>,
        user_agent: Option<&str>,
    ) -> Result<Self, StatusCode> {
        let url = format!("{}{path}", browser.address.replacen("http", "ws", 1));
        let mut request = url.into_client_request().expect("ws request");
        if let Some(cookie) = browser.cookie_header() {
            request
                .headers_mut()
                .insert("cookie", HeaderValue::from_str(&cookie).expect("cookie"));
        }
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("origin", HeaderValue::from_str(origin).expect("origin"));
        }
        if let Some(agent) = user_agent {
            request
                .headers_mut()
                .insert("user-agent", HeaderValue::from_str(agent).expect("agent"));
        }
        let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, connect_async(request));
        match handshake
            .await
            .expect("the WebSocket handshake took over 30 s")
        {
            Ok((stream, _)) => Ok(Self { stream }),
            Err(tungstenite::Error::Http(response)) => Err(response.status()),
            Err(other) => panic!("WebSocket connect failed: {other}"),
        }
    }

    /// Opens `/users/` with a tiny receive buffer, for a client that will
    /// never read: the server's frames soon have nowhere to go.
    pub async fn open_stalled(browser: &Browser) -> Self {
        let address = browser.address.trim_start_matches("http://").to_owned();
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(2048).expect("SO_RCVBUF");
        let stream = socket
            .connect(address.parse().expect("address"))
            .await
            .expect("connect");
        let mut request = format!("ws://{address}/users/")
            .into_client_request()
            .expect("ws request");
        if let Some(cookie) = browser.cookie_header() {
            request
                .headers_mut()
                .insert("cookie", HeaderValue::from_str(&cookie).expect("cookie"));
        }
        let (stream, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream))
            .await
            .expect("upgrade");
        Self { stream }
    }

    /// The next server text frame, parsed. Panics on timeout or close.
    pub async fn frame(&mut self) -> ServerFrame {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .expect("a frame within 5 s")
                .expect("socket open")
                .expect("valid frame");
            match message {
                Message::Text(text) => {
                    return serde_json::from_str(&text).expect("a known server frame");
                }
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// The raw text of the next server text frame.
    pub async fn raw_text(&mut self) -> String {
        loop {
            match tokio::time::timeout(PATIENCE, self.stream.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => return text.to_string(),
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// The online list of the snapshot, which must be the next frame.
    pub async fn snapshot(&mut self) -> Vec<String> {
        match self.frame().await {
            ServerFrame::Snapshot { online, .. } => online,
            other => panic!("expected a snapshot, got {other:?}"),
        }
    }

    /// The snapshot, then the events that bring each of `online` online if
    /// the snapshot predates them (a login is written, then announced).
    pub async fn snapshot_with(&mut self, online: &[&str]) -> Vec<String> {
        let snapshot = self.snapshot().await;
        for user in online {
            if !snapshot.iter().any(|name| name == user) {
                assert!(self.presence_of(user).await, "{user} went offline instead");
            }
        }
        snapshot
    }

    /// Waits for a presence frame about `user`, skipping frames about
    /// others and new accounts, and returns its `is_logged_in`.
    pub async fn presence_of(&mut self, user: &str) -> bool {
        loop {
            if let ServerFrame::Presence {
                username,
                is_logged_in,
                ..
            } = self.frame().await
                && username == user
            {
                return is_logged_in;
            }
        }
    }

    /// Waits for a presence frame about `user`, skipping frames about
    /// others, and returns it whole.
    pub async fn presence_frame_of(&mut self, user: &str) -> ServerFrame {
        loop {
            let frame = self.frame().await;
            if let ServerFrame::Presence { username, .. } = &frame
                && username == user
            {
                return frame;
            }
        }
    }

    /// Waits for an `error` frame, skipping presence frames, and returns
    /// its reason.
    pub async fn error_reason(&mut self) -> String {
        loop {
            match self.frame().await {
                ServerFrame::Error { reason } => return reason,
                ServerFrame::Presence { .. }
                | ServerFrame::UserAdded { .. }
                | ServerFrame::Snapshot { .. } => continue,
                other => panic!("expected an error frame, got {other:?}"),
            }
        }
    }

    /// Asserts that no frame about `user` arrives within `quiet`.
    pub async fn assert_no_presence_of(&mut self, user: &str, quiet: Duration) {
        let deadline = tokio::time::Instant::now() + quiet;
        while let Ok(next) = tokio::time::timeout_at(deadline, self.stream.next()).await {
            if let Some(Ok(Message::Text(text))) = next {
                let frame: ServerFrame = serde_json::from_str(&text).expect("known frame");
                if let ServerFrame::Presence { username, .. } = &frame {
                    assert_ne!(username, user, "unexpected {frame:?}");
                }
            } else if !matches!(next, Some(Ok(Message::Ping(_) | Message::Pong(_)))) {
                panic!("socket ended while waiting: {next:?}");
            }
        }
    }

    /// Asserts that no text frame at all arrives within `quiet`.
    pub async fn assert_quiet(&mut self, quiet: Duration) {
        let deadline = tokio::time::Instant::now() + quiet;
        while let Ok(next) = tokio::time::timeout_at(deadline, self.stream.next()).await {
            match next {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("expected silence, got {other:?}"),
            }
        }
    }

    /// Waits for the server's close frame and returns its code.
    pub async fn close_code(&mut self) -> u16 {
        loop {
            match tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .expect("a close within 5 s")
            {
                Some(Ok(Message::Close(Some(CloseFrame { code, .. })))) => return code.into(),
                Some(Ok(Message::Close(None))) => return 1005,
                Some(Ok(_)) => continue,
                Some(Err(err)) => panic!("socket failed before a close frame: {err}"),
                None => panic!("socket ended without a close frame"),
            }
        }
    }

    /// Sends a text frame.
    pub async fn send_text(&mut self, text: &str) {
        self.stream
            .send(Message::text(text))
            .await
            .expect("send text");
    }

    /// Sends any message.
    pub async fn send(&mut self, message: Message) {
        self.stream.send(message).await.expect("send");
    }

    /// Sends a raw frame (for fragmented messages).
    pub async fn send_frame(&mut self, frame: tungstenite::protocol::frame::Frame) {
        self.stream
            .send(Message::Frame(frame))
            .await
            .expect("send frame");
    }

    /// Closes from the client side, as a closed tab does.
    pub async fn close(mut self) {
        let _ = self
            .stream
            .close(Some(CloseFrame {
                code: CloseCode::Away,
                reason: "tab closed".into(),
            }))
            .await;
        // Drain until the server's answer so the close is complete.
        let _ = tokio::time::timeout(PATIENCE, async {
            while let Some(Ok(_)) = self.stream.next().await {}
        })
        .await;
    }
}
