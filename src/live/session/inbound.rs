//! What a client sends: pings, activity, its user's status, and the
//! users its page shows (`watch`).
//!
//! Every text frame is read and validated at this boundary
//! ([`ClientFrame::read`]); a bad one gets an `error` frame back and
//! changes nothing. What reaches the hub names the socket, never a user,
//! so no client can change anyone else's presence. Frames beyond the
//! client's budget are ignored, and a flood closes the socket with 1008
//! (see `budget`).
//!
//! A binary message closes the socket with 1003, a message over 64 KiB (in
//! one frame or assembled from continuation frames) with 1009, and a
//! broken frame with 1002. A client's Close frame is answered, and the
//! server then closes the connection (see `outlet`).

use std::time::Instant;

use actix::prelude::*;
use actix_http::ws::Item;
use actix_web_actors::ws::{self, CloseCode};

use super::{MAX_MESSAGE_BYTES, WsSession, budget::Verdict};
use crate::{
    db::now_millis,
    live::{
        hub::{ChangeProfile, Choice, SetActivity, Watch},
        protocol::{ClientFrame, Frame, ServerFrame},
    },
    metrics::SOCKETS_CLOSED,
};

impl WsSession {
    /// Closes a socket whose client broke the protocol's rules.
    pub(super) fn close_abusive(
        &self,
        ctx: &mut ws::WebsocketContext<Self>,
        code: CloseCode,
        why: &str,
    ) {
        metrics::counter!(SOCKETS_CLOSED, "reason" => "abusive").increment(1);
        self.close(ctx, code, why);
    }

    fn on_text(&mut self, text: &str, ctx: &mut ws::WebsocketContext<Self>) {
        match self.budget.spend(Instant::now()) {
            Verdict::Take => {}
            Verdict::Ignore => return,
            Verdict::Flood => {
                return self.close_abusive(ctx, CloseCode::Policy, "too many frames");
            }
        }
        let frame = match ClientFrame::read(text, now_millis()) {
            Ok(frame) => frame,
            Err(refused) => {
                let error = ServerFrame::Error {
                    reason: refused.to_string(),
                };
                return ctx.text(Frame::from(&error).as_str());
            }
        };
        let Some(conn) = self.conn else { return };
        match frame {
            ClientFrame::Ping => ctx.text(Frame::from(&ServerFrame::Pong).as_str()),
            ClientFrame::Activity { active } => self.hub.tell(SetActivity { conn, active }),
            ClientFrame::SetStatus { manual } => self.hub.tell(ChangeProfile {
                conn,
                choice: Choice::Status(manual),
            }),
            ClientFrame::SetCustom { custom } => self.hub.tell(ChangeProfile {
                conn,
                choice: Choice::Custom(custom),
            }),
            ClientFrame::Watch { users } => self.hub.tell(Watch { conn, users }),
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
                self.outbox.close();
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
