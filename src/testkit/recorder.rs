//! The recorder behind a [`StandIn`](super::StandIn): the actor the hub
//! delivers to in place of a courier and a session. It keeps a real
//! outbox's rules (no batch for every socket before the snapshot; after a
//! watch, the watchers' batches instead of the full feed) and hands what
//! it sees to the test.

use actix::prelude::*;
use tokio::sync::mpsc;

use crate::live::{
    counts::slice_of,
    courier::{Audience, Batch, OutboxId},
    protocol::{Frame, ServerFrame},
    session::{Close, CloseReason},
};

/// What a stand-in saw.
#[derive(Debug)]
// Tests match on it by value; boxing the frame would cost them that for
// nothing (a stand-in sees a few frames).
#[allow(clippy::large_enum_variant)]
pub enum Seen {
    /// A frame, parsed, with the raw text the hub shared.
    Frame(ServerFrame, Frame),
    /// A request to close.
    Closed(CloseReason),
}

/// The actor the hub delivers to: a courier of one socket.
pub(super) struct Recorder {
    pub(super) seen: mpsc::UnboundedSender<Seen>,
    /// Whether its snapshot came: from then on it takes batches for every
    /// joined socket, as a real outbox does.
    pub(super) joined: bool,
    /// Whether its first watch was answered: from then on it takes the
    /// batches for watching sockets instead of the full feed.
    pub(super) watches: bool,
}

impl Actor for Recorder {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // A stand-in must never look like a slow consumer to the hub.
        ctx.set_mailbox_capacity(1 << 20);
    }
}

impl Handler<Batch> for Recorder {
    type Result = ();

    fn handle(&mut self, msg: Batch, _: &mut Context<Self>) {
        match msg.to {
            Audience::Joined if !self.joined || self.watches => return,
            Audience::Watching if !self.joined || !self.watches => return,
            // A stand-in's outbox is always `OutboxId(0)`.
            Audience::WatchingSlice { slice }
                if !self.joined || !self.watches || slice != slice_of(OutboxId(0)) =>
            {
                return;
            }
            Audience::Watch { .. } if !self.joined => return,
            Audience::Watch { .. } => self.watches = true,
            Audience::One { join: Some(_), .. } => self.joined = true,
            _ => {}
        }
        for frame in msg.frames.iter() {
            // The hub only ever sends frames it serialized itself.
            if let Ok(parsed) = serde_json::from_str(frame.as_str()) {
                let _ = self.seen.send(Seen::Frame(parsed, frame.clone()));
            }
        }
    }
}

impl Handler<Close> for Recorder {
    type Result = ();

    fn handle(&mut self, msg: Close, ctx: &mut Context<Self>) {
        let _ = self.seen.send(Seen::Closed(msg.reason));
        ctx.stop();
    }
}

/// Stops the recorder without telling the hub, as a session that died.
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct Vanish;

impl Handler<Vanish> for Recorder {
    type Result = ();

    fn handle(&mut self, _: Vanish, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}
