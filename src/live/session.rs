//! The `WsSession` actor: one per WebSocket connection.
//!
//! This is the only module that uses actix-web-actors. A session registers
//! with the hub when it starts ([`Connect`]) and leaves when it stops
//! ([`Disconnect`]). In between it writes the frames the hub delivers,
//! answers pings, and watches its client:
//!
//! - a client silent for longer than the timeout is dropped;
//! - a binary message closes the socket with 1003, and a message over
//!   64 KiB (in one frame or across continuation frames) with 1009;
//! - text other than `{"type":"ping"}` is ignored. Nothing a client sends
//!   reaches the hub, so no client can change anyone else's presence.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use actix::prelude::*;
use actix_http::ws::Item;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web_actors::ws::{self, CloseCode};

use crate::{
    auth::{SessionId, Username},
    live::{
        hub::{ConnId, Connect, Disconnect, Hub},
        protocol::{ClientFrame, Frame, ServerFrame},
        sliced::Sliced,
        tcp_cutoff::TcpConnection,
    },
    metrics::SOCKETS_CLOSED,
};

/// The largest message a client may send, in one frame or assembled.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Frames queued for one socket beyond which the hub considers it stalled.
/// Together with the kernel's send buffer and the HTTP dispatcher's
/// 32 KiB, this bounds what a client that stops reading can make the
/// server hold.
pub const OUTBOX_CAPACITY: usize = 64;

/// Frames to write to the socket, in order.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Deliver {
    /// Serialized frames, shared with every other socket.
    pub frames: Arc<[Frame]>,
}

impl Deliver {
    /// A delivery of one frame.
    pub fn one(frame: Frame) -> Self {
        Self {
            frames: Arc::from([frame]),
        }
    }
}

/// A request from the hub to close the socket.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Close {
    /// Why, which picks the close code.
    pub reason: CloseReason,
}

/// Why the server closes a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The socket's login ended (1000, normal closure).
    LoggedOut,
    /// The server is stopping (1001, going away).
    ServerShutdown,
    /// The client stopped reading (1013, try again later).
    TooSlow,
}

impl CloseReason {
    fn frame(self) -> ws::CloseReason {
        let (code, description) = match self {
            Self::LoggedOut => (CloseCode::Normal, "logged out"),
            Self::ServerShutdown => (CloseCode::Away, "server shutting down"),
            Self::TooSlow => (CloseCode::Again, "not reading fast enough"),
        };
        ws::CloseReason {
            code,
            description: Some(description.to_owned()),
        }
    }
}

/// Timing of the server's heartbeat.
#[derive(Clone, Copy, Debug)]
pub struct Heartbeat {
    /// How often the server pings.
    pub interval: Duration,
    /// How long a client may stay silent.
    pub timeout: Duration,
}

/// Where a socket comes from, for logs and for cutting it off.
#[derive(Clone, Debug)]
pub struct Peer {
    /// The client's address.
    pub address: String,
    /// The id of the upgrade request, repeated on the socket's log lines.
    pub request_id: String,
    /// The TCP connection, if the server knows it.
    pub connection: Option<TcpConnection>,
}

/// One WebSocket connection of one logged-in user.
pub struct WsSession {
    hub: Hub,
    user: Username,
    session: SessionId,
    peer: Peer,
    heartbeat: Heartbeat,
    conn: Option<ConnId>,
    last_heard: Instant,
    /// Text assembled from continuation frames.
    partial: Option<String>,
}

impl WsSession {
    /// A session for `user`'s login `session`, coming from `peer`.
    pub fn new(
        hub: Hub,
        user: Username,
        session: SessionId,
        peer: Peer,
        heartbeat: Heartbeat,
    ) -> Self {
        Self {
            hub,
            user,
            session,
            peer,
            heartbeat,
            conn: None,
            last_heard: Instant::now(),
            partial: None,
        }
    }

    /// Completes the WebSocket handshake and starts the actor.
    pub fn start(
        self,
        req: &HttpRequest,
        stream: web::Payload,
    ) -> Result<HttpResponse, actix_web::Error> {
        let mut response = ws::handshake(req)?;
        let codec = actix_http::ws::Codec::new().max_size(MAX_MESSAGE_BYTES);
        let frames = ws::WebsocketContext::with_codec(self, stream, codec);
        // Sliced: a large snapshot must not leave its size resident in the
        // connection's write buffer (see `sliced`).
        Ok(response.streaming(Sliced::new(frames)))
    }

    fn close(&self, ctx: &mut ws::WebsocketContext<Self>, code: CloseCode, why: &str) {
        tracing::info!(
            user = %self.user, peer = %self.peer.address, request_id = %self.peer.request_id,
            code = u16::from(code), why, "closing WebSocket"
        );
        ctx.close(Some(ws::CloseReason {
            code,
            description: Some(why.to_owned()),
        }));
        ctx.stop();
    }

    /// Closes a socket whose client broke the protocol's rules.
    fn close_abusive(&self, ctx: &mut ws::WebsocketContext<Self>, code: CloseCode, why: &str) {
        metrics::counter!(SOCKETS_CLOSED, "reason" => "abusive").increment(1);
        self.close(ctx, code, why);
    }

    fn on_text(&mut self, text: &str, ctx: &mut ws::WebsocketContext<Self>) {
        if let Some(ClientFrame::Ping) = ClientFrame::parse(text) {
            ctx.text(Frame::from(&ServerFrame::Pong).text());
        }
    }

    /// Assembles a fragmented message, enforcing the size limit on the
    /// whole rather than per fragment.
    fn on_continuation(&mut self, item: Item, ctx: &mut ws::WebsocketContext<Self>) {
        let (chunk, last) = match item {
            Item::FirstText(chunk) => {
                self.partial = Some(String::new());
                (chunk, false)
            }
            Item::FirstBinary(_) => {
                return self.close_abusive(
                    ctx,
                    CloseCode::Unsupported,
                    "binary messages are not accepted",
                );
            }
            Item::Continue(chunk) => (chunk, false),
            Item::Last(chunk) => (chunk, true),
        };
        let Some(partial) = self.partial.as_mut() else {
            return self.close_abusive(
                ctx,
                CloseCode::Protocol,
                "continuation without a first frame",
            );
        };
        if partial.len() + chunk.len() > MAX_MESSAGE_BYTES {
            return self.close_abusive(ctx, CloseCode::Size, "message too large");
        }
        match std::str::from_utf8(&chunk) {
            Ok(text) => partial.push_str(text),
            // A UTF-8 sequence may be split across fragments; it is rare
            // enough in pings that treating it as noise is fine.
            Err(_) => partial.push('\u{FFFD}'),
        }
        if last && let Some(text) = self.partial.take() {
            self.on_text(&text, ctx);
        }
    }
}

impl Actor for WsSession {
    type Context = ws::WebsocketContext<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(OUTBOX_CAPACITY);
        ctx.run_interval(self.heartbeat.interval, |session, ctx| {
            if session.last_heard.elapsed() > session.heartbeat.timeout {
                metrics::counter!(SOCKETS_CLOSED, "reason" => "silent").increment(1);
                session.close(ctx, CloseCode::Away, "heartbeat timeout");
            } else {
                ctx.ping(b"");
            }
        });
        let connect = Connect {
            user: self.user.clone(),
            session: self.session.clone(),
            deliver: ctx.address().recipient(),
            close: ctx.address().recipient(),
            connection: self.peer.connection,
        };
        // Wait for the id before handling anything else, so the snapshot
        // the hub sends is the first frame the client sees.
        self.hub
            .ask(connect)
            .into_actor(self)
            .map(|result, session, ctx| match result {
                Ok(id) => {
                    session.conn = Some(id);
                    tracing::info!(
                        user = %session.user, peer = %session.peer.address,
                        request_id = %session.peer.request_id, conn = id.0, "WebSocket CONNECT /users/"
                    );
                }
                Err(_) => ctx.stop(),
            })
            .wait(ctx);
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        if let Some(conn) = self.conn.take() {
            self.hub.tell(Disconnect { conn });
            tracing::info!(
                user = %self.user, peer = %self.peer.address, request_id = %self.peer.request_id,
                conn = conn.0, "WebSocket DISCONNECT /users/"
            );
        }
    }
}

impl Handler<Deliver> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: Deliver, ctx: &mut Self::Context) {
        for frame in msg.frames.iter() {
            ctx.text(frame.text());
        }
    }
}

impl Handler<Close> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: Close, ctx: &mut Self::Context) {
        let frame = msg.reason.frame();
        let why = frame.description.clone().unwrap_or_default();
        self.close(ctx, frame.code, &why);
    }
}

impl StreamHandler<Result<ws::Message, ws::ProtocolError>> for WsSession {
    fn handle(&mut self, item: Result<ws::Message, ws::ProtocolError>, ctx: &mut Self::Context) {
        self.last_heard = Instant::now();
        match item {
            Ok(ws::Message::Text(text)) => self.on_text(&text, ctx),
            Ok(ws::Message::Binary(_)) => self.close_abusive(
                ctx,
                CloseCode::Unsupported,
                "binary messages are not accepted",
            ),
            Ok(ws::Message::Continuation(item)) => self.on_continuation(item, ctx),
            Ok(ws::Message::Ping(payload)) => ctx.pong(&payload),
            Ok(ws::Message::Pong(_)) | Ok(ws::Message::Nop) => {}
            Ok(ws::Message::Close(reason)) => {
                ctx.close(reason);
                ctx.stop();
            }
            Err(ws::ProtocolError::Overflow) => {
                self.close_abusive(ctx, CloseCode::Size, "message too large")
            }
            Err(err) => {
                tracing::debug!(error = %err, user = %self.user, "WebSocket protocol error");
                self.close_abusive(ctx, CloseCode::Protocol, "protocol error");
            }
        }
    }

    fn finished(&mut self, ctx: &mut Self::Context) {
        // The client went away without a close frame.
        ctx.stop();
    }
}
