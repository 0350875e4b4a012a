//! Sockets joining and leaving: [`Connect`] and [`Disconnect`], the two
//! messages every `WsSession` (and every test stand-in) sends the hub.
//!
//! A socket that joins gets its snapshot before anything else, then joins
//! its user in the roster; one that leaves may start its user's grace
//! period.

use std::time::Instant;

use actix::prelude::*;

use super::{ConnId, PresenceHub, Socket};
use crate::{
    auth::{SessionId, Username},
    live::{
        courier::Route,
        progress::Progress,
        roster::Member,
        session::{Close, CloseReason},
        status::{Device, Profile},
        tcp_cutoff::TcpConnection,
    },
};

/// A socket wants to join. The hub replies with the socket's id and sends
/// the snapshot frame along `route` before anything else.
#[derive(Message)]
#[rtype(result = "ConnId")]
pub struct Connect {
    /// The socket's user.
    pub user: Username,
    /// The login the socket was opened under.
    pub session: SessionId,
    /// The kind of device it is on.
    pub device: Device,
    /// What the user chose for their status, as their row says.
    pub profile: Profile,
    /// How the hub's frames reach the socket.
    pub route: Route,
    /// Where the hub sends a request to close.
    pub close: Recipient<Close>,
    /// The TCP connection, to shut down if the client stops reading (`None`
    /// for stand-in sessions).
    pub connection: Option<TcpConnection>,
    /// When the socket's output last moved (`None` for stand-ins, which
    /// never stall).
    pub progress: Option<Progress>,
    /// The page watches from its first frame (`?watch` on the upgrade): it
    /// gets a snapshot of nobody and the counts, never the full feed.
    pub watching: bool,
}

/// A socket has gone. Sending it twice, or for an unknown id, is harmless.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Disconnect {
    /// The id `Connect` returned.
    pub conn: ConnId,
}

impl Handler<Connect> for PresenceHub {
    type Result = MessageResult<Connect>;

    fn handle(&mut self, msg: Connect, _: &mut Context<Self>) -> Self::Result {
        self.next_conn += 1;
        let id = ConnId(self.next_conn);
        if !self.serving {
            msg.close.do_send(Close {
                reason: CloseReason::ServerShutdown,
            });
            return MessageResult(id);
        }
        if self.ended.contains(&msg.session, Instant::now()) {
            // Upgraded just before its login ended: it must not outlive it.
            msg.close.do_send(Close {
                reason: CloseReason::LoggedOut,
            });
            return MessageResult(id);
        }
        // The snapshot goes first, so it precedes every event this socket
        // receives; events announced later apply on top of it.
        self.couriers.register(&msg.route);
        self.deliver_snapshot(id, &msg.route, &msg.user, msg.watching);
        if msg.watching {
            // Off the full feed before any other batch can reach it.
            self.answer_watch(id, &msg.route, &msg.user, Vec::new());
        }
        self.know_profile(&msg.user, msg.profile);
        let member = Member {
            user: msg.user,
            session: msg.session,
            device: msg.device,
            active: true,
            handle: Socket {
                route: msg.route,
                close: msg.close,
                connection: msg.connection,
                progress: msg.progress,
            },
        };
        let change = self.roster.join(id, member);
        self.decide(change);
        self.meters.count_sockets(self.roster.socket_count());
        MessageResult(id)
    }
}

impl Handler<Disconnect> for PresenceHub {
    type Result = ();

    fn handle(&mut self, msg: Disconnect, ctx: &mut Context<Self>) {
        let Some(member) = self.leave(msg.conn) else {
            return;
        };
        if !self.roster.has_sockets(&member.user) {
            self.start_grace(member.user, member.session, None, ctx);
        }
    }
}
