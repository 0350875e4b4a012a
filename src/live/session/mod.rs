//! The `WsSession` actor: one per WebSocket connection.
//!
//! This is the only module that uses actix-web-actors. A session registers
//! with the hub when it starts ([`Connect`]) and leaves when it stops
//! ([`Disconnect`]). In between it writes the frames the hub delivers,
//! pings its client and drops it when it stays silent; `inbound` reads
//! what the client sends, and `outlet` is the byte stream the HTTP
//! dispatcher writes out. The session holds its [`Permit`] for its whole
//! life, so its place under the socket caps is given back however it ends.

mod budget;
mod inbound;
mod outlet;

use std::{
    rc::Rc,
    time::{Duration, Instant},
};

use actix::prelude::*;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web_actors::ws::{self, CloseCode};

use self::{budget::FrameBudget, outlet::Outlet};
use crate::{
    auth::{SessionId, Username},
    live::{
        admission::Permit,
        courier::{Claim, CourierDesk, Route},
        hub::{ConnId, Connect, Disconnect, Hub},
        progress::Progress,
        sliced::Sliced,
        status::{Device, Profile},
        tcp_cutoff::TcpConnection,
    },
    metrics::SOCKETS_CLOSED,
};

/// The largest message a client may send, in one frame or assembled.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Messages a session's mailbox holds: the hub only ever sends it one
/// `Close`; frames go through its outbox, not its mailbox.
const MAILBOX_CAPACITY: usize = 16;

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

/// Who a socket belongs to, as its upgrade found out.
#[derive(Clone, Debug)]
pub struct Login {
    /// The user.
    pub user: Username,
    /// Their login.
    pub session: SessionId,
    /// What they chose for their status, as their row says.
    pub profile: Profile,
    /// The kind of device, from the upgrade's `User-Agent`.
    pub device: Device,
    /// The page watches from its first frame (`?watch` on the upgrade).
    pub watching: bool,
}

/// One WebSocket connection of one logged-in user.
pub struct WsSession {
    hub: Hub,
    user: Username,
    session: SessionId,
    device: Device,
    /// Opened with `?watch`: handed to the hub with `Connect`.
    watching: bool,
    /// Handed to the hub with `Connect`.
    profile: Option<Profile>,
    /// How many more frames the client may send.
    budget: FrameBudget,
    peer: Peer,
    heartbeat: Heartbeat,
    conn: Option<ConnId>,
    last_heard: Instant,
    /// Text assembled from continuation frames.
    partial: Option<String>,
    /// When the socket's output last moved; shared with the hub.
    progress: Progress,
    /// The socket's outbox, shared with its output.
    outbox: Rc<Claim>,
    /// How the hub reaches the outbox.
    route: Route,
    /// This socket's place under the caps, given back when it is dropped.
    _permit: Permit,
}

impl WsSession {
    /// A session for `login`, coming from `peer`.
    pub fn new(
        hub: Hub,
        login: Login,
        peer: Peer,
        heartbeat: Heartbeat,
        permit: Permit,
        courier: &CourierDesk,
    ) -> Self {
        let (claim, route) = courier.open_outbox();
        Self {
            hub,
            user: login.user,
            session: login.session,
            device: login.device,
            watching: login.watching,
            profile: Some(login.profile),
            budget: FrameBudget::default(),
            peer,
            heartbeat,
            conn: None,
            last_heard: Instant::now(),
            partial: None,
            progress: Progress::default(),
            outbox: Rc::new(claim),
            route,
            _permit: permit,
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
        let progress = self.progress.clone();
        let (outbox, connection) = (self.outbox.clone(), self.peer.connection);
        let frames = ws::WebsocketContext::with_codec(self, stream, codec);
        // Sliced: a large snapshot must not leave its size resident in the
        // connection's write buffer (see `sliced`).
        let output = Outlet::new(frames, outbox, progress, connection);
        Ok(response.streaming(Sliced::new(output)))
    }

    fn close(&self, ctx: &mut ws::WebsocketContext<Self>, code: CloseCode, why: &str) {
        tracing::info!(
            user = %self.user, peer = %self.peer.address, request_id = %self.peer.request_id,
            code = u16::from(code), why, "closing WebSocket"
        );
        if code == CloseCode::Again {
            self.outbox.close_behind();
        } else {
            self.outbox.close();
        }
        ctx.close(Some(ws::CloseReason {
            code,
            description: Some(why.to_owned()),
        }));
        ctx.stop();
    }
}

impl Actor for WsSession {
    type Context = ws::WebsocketContext<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(MAILBOX_CAPACITY);
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
            device: self.device,
            profile: self.profile.take().unwrap_or_default(),
            route: self.route.clone(),
            close: ctx.address().recipient(),
            connection: self.peer.connection,
            progress: Some(self.progress.clone()),
            watching: self.watching,
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
            self.outbox.said_goodbye();
            tracing::info!(
                user = %self.user, peer = %self.peer.address, request_id = %self.peer.request_id,
                conn = conn.0, "WebSocket DISCONNECT /users/"
            );
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
