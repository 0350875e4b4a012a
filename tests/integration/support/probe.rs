//! A stand-in for `WsSession`: an actor that records what the hub sends.

use std::time::Duration;

use actix::prelude::*;
use presence::{
    auth::{SessionId, Username},
    live::{
        hub::{ConnId, Connect, Disconnect, PresenceHub},
        protocol::{Frame, ServerFrame},
        session::{Close, CloseReason, Deliver},
    },
};
use tokio::sync::mpsc;

/// What a probe saw.
#[derive(Debug)]
pub enum Seen {
    /// A frame, with the raw shared text.
    Frame(ServerFrame, Frame),
    /// A request to close.
    Closed(CloseReason),
}

struct ProbeActor {
    seen: mpsc::UnboundedSender<Seen>,
}

impl Actor for ProbeActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // A stand-in must never look like a slow consumer to the hub.
        ctx.set_mailbox_capacity(1 << 20);
    }
}

impl Handler<Deliver> for ProbeActor {
    type Result = ();
    fn handle(&mut self, msg: Deliver, _: &mut Context<Self>) {
        for frame in msg.frames.iter() {
            let parsed = serde_json::from_str(frame.as_str()).expect("valid frame");
            let _ = self.seen.send(Seen::Frame(parsed, frame.clone()));
        }
    }
}

impl Handler<Close> for ProbeActor {
    type Result = ();
    fn handle(&mut self, msg: Close, ctx: &mut Context<Self>) {
        let _ = self.seen.send(Seen::Closed(msg.reason));
        ctx.stop();
    }
}

/// A registered stand-in socket.
pub struct Probe {
    /// The hub's id for it.
    pub conn: ConnId,
    hub: Addr<PresenceHub>,
    seen: mpsc::UnboundedReceiver<Seen>,
}

impl Probe {
    /// Registers a stand-in socket of `user` under login `session`.
    pub async fn connect(hub: &Addr<PresenceHub>, user: &str, session: &str) -> Self {
        let (tx, seen) = mpsc::unbounded_channel();
        let actor = ProbeActor { seen: tx }.start();
        let conn = hub
            .send(Connect {
                user: Username::parse(user).expect("username"),
                session: SessionId::from_string(session),
                deliver: actor.clone().recipient(),
                close: actor.recipient(),
                connection: None,
            })
            .await
            .expect("hub alive");
        Self {
            conn,
            hub: hub.clone(),
            seen,
        }
    }

    /// Unregisters, as a stopping session does.
    pub async fn disconnect(&self) {
        self.hub
            .send(Disconnect { conn: self.conn })
            .await
            .expect("hub alive");
    }

    /// The next thing seen, within 5 s.
    pub async fn next(&mut self) -> Seen {
        tokio::time::timeout(Duration::from_secs(5), self.seen.recv())
            .await
            .expect("something within 5 s")
            .expect("probe alive")
    }

    /// The next frame, parsed and raw.
    pub async fn frame(&mut self) -> (ServerFrame, Frame) {
        match self.next().await {
            Seen::Frame(parsed, raw) => (parsed, raw),
            Seen::Closed(reason) => panic!("expected a frame, was closed: {reason:?}"),
        }
    }

    /// The snapshot, which must come next.
    pub async fn snapshot(&mut self) -> Vec<String> {
        match self.frame().await.0 {
            ServerFrame::Snapshot { online, .. } => online,
            other => panic!("expected a snapshot, got {other:?}"),
        }
    }

    /// The next presence frame, as `(username, online)`.
    pub async fn presence(&mut self) -> (String, bool) {
        loop {
            if let ServerFrame::Presence {
                username,
                is_logged_in,
                ..
            } = self.frame().await.0
            {
                return (username, is_logged_in);
            }
        }
    }

    /// Asserts nothing arrives within `quiet`.
    pub async fn assert_quiet(&mut self, quiet: Duration) {
        if let Ok(Some(seen)) = tokio::time::timeout(quiet, self.seen.recv()).await {
            panic!("expected nothing, got {seen:?}");
        }
    }

    /// Everything seen so far, without waiting.
    pub fn drain(&mut self) -> Vec<Seen> {
        let mut all = Vec::new();
        while let Ok(seen) = self.seen.try_recv() {
            all.push(seen);
        }
        all
    }
}
