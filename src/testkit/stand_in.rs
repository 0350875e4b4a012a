//! [`StandIn`]: an actor that stands in for a `WsSession` (and for its
//! worker's courier) and records every frame and close request the hub
//! sends it.

use std::time::Duration;

use actix::prelude::*;
use tokio::sync::mpsc;

use super::recorder::{Recorder, Seen, Vanish};
use crate::{
    auth::{SessionId, Username},
    live::{
        courier::{CourierId, OutboxId, Route},
        hub::{ChangeProfile, Choice, ConnId, Connect, Disconnect, Hub, SetActivity, Watch},
        protocol::{Frame, ServerFrame},
        session::CloseReason,
        status::{Device, Profile},
    },
};

/// How long a stand-in waits for something that should happen.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// A socket registered with a hub by a test, in place of a browser tab.
///
/// Every method that waits panics after [`PATIENCE`]: a stand-in is for
/// tests, where a missing frame is a failure.
pub struct StandIn {
    /// The hub's id for it.
    pub conn: ConnId,
    hub: Hub,
    recorder: Addr<Recorder>,
    seen: mpsc::UnboundedReceiver<Seen>,
}

impl StandIn {
    /// Registers a stand-in socket of `user` under the login `session`, on
    /// a desktop, for a user who chose nothing special.
    ///
    /// # Panics
    /// If `user` is not a valid username or the hub has stopped.
    pub async fn connect(hub: &Hub, user: &str, session: &str) -> Self {
        Self::connect_with(hub, user, session, Device::Desktop, Profile::default()).await
    }

    /// Registers a stand-in socket that watches from its first frame, as
    /// a page opened with `/users/?watch` does.
    ///
    /// # Panics
    /// If `user` is not a valid username or the hub has stopped.
    pub async fn connect_watching(hub: &Hub, user: &str, session: &str) -> Self {
        let profile = Profile::default();
        Self::register(hub, user, session, Device::Desktop, profile, true).await
    }

    /// Registers a stand-in socket on `device`, for a user whose row says
    /// they chose `profile`.
    ///
    /// # Panics
    /// If `user` is not a valid username or the hub has stopped.
    pub async fn connect_with(
        hub: &Hub,
        user: &str,
        session: &str,
        device: Device,
        profile: Profile,
    ) -> Self {
        Self::register(hub, user, session, device, profile, false).await
    }

    async fn register(
        hub: &Hub,
        user: &str,
        session: &str,
        device: Device,
        profile: Profile,
        watching: bool,
    ) -> Self {
        let (tx, seen) = mpsc::unbounded_channel();
        let recorder = Recorder {
            seen: tx,
            joined: false,
            watches: false,
        }
        .start();
        let route = Route {
            courier: CourierId::fresh(),
            via: recorder.clone().recipient(),
            outbox: OutboxId(0),
        };
        let conn = hub
            .addr()
            .send(Connect {
                user: Username::parse(user).expect("a valid username"),
                session: SessionId::from_string(session),
                device,
                profile,
                route,
                close: recorder.clone().recipient(),
                connection: None,
                progress: None,
                watching,
            })
            .await
            .expect("the hub is running");
        Self {
            conn,
            hub: hub.clone(),
            recorder,
            seen,
        }
    }

    /// Unregisters, as a session does when its tab closes.
    pub async fn disconnect(&self) {
        self.hub
            .addr()
            .send(Disconnect { conn: self.conn })
            .await
            .expect("the hub is running");
    }

    /// Says that its page became active or idle, as a page's `activity`
    /// frame does.
    pub async fn set_active(&self, active: bool) {
        let conn = self.conn;
        let sent = self.hub.addr().send(SetActivity { conn, active });
        sent.await.expect("the hub is running");
    }

    /// Chooses a status or a custom status, as a page's `set_status` and
    /// `set_custom` frames do.
    pub async fn choose(&self, choice: Choice) {
        let conn = self.conn;
        let sent = self.hub.addr().send(ChangeProfile { conn, choice });
        sent.await.expect("the hub is running");
    }

    /// Watches `users`, as a page's `watch` frame does (the session checks
    /// the names; here they must be valid).
    ///
    /// # Panics
    /// If a name is invalid or the hub has stopped.
    pub async fn watch(&self, users: &[&str]) {
        let users = users
            .iter()
            .map(|user| Username::parse(user).expect("a valid username"))
            .collect();
        let conn = self.conn;
        let sent = self.hub.addr().send(Watch { conn, users });
        sent.await.expect("the hub is running");
    }

    /// Stops without unregistering, as a session that crashed: the hub
    /// only learns of it when a delivery fails.
    pub async fn vanish(&self) {
        let _ = self.recorder.send(Vanish).await;
    }

    /// The next thing seen.
    pub async fn next(&mut self) -> Seen {
        tokio::time::timeout(PATIENCE, self.seen.recv())
            .await
            .expect("something within the patience")
            .expect("the stand-in is alive")
    }

    /// The next frame, parsed and raw.
    pub async fn frame(&mut self) -> (ServerFrame, Frame) {
        match self.next().await {
            Seen::Frame(parsed, raw) => (parsed, raw),
            Seen::Closed(reason) => panic!("expected a frame, was closed: {reason:?}"),
        }
    }

    /// The online users of the snapshot, which must be the next frame.
    pub async fn snapshot(&mut self) -> Vec<String> {
        match self.frame().await.0 {
            ServerFrame::Snapshot { online, .. } => online,
            other => panic!("expected a snapshot, got {other:?}"),
        }
    }

    /// The next presence frame, as `(username, online)`; other frames are
    /// skipped.
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

    /// The next `presence` frame's username and status; other frames are
    /// skipped.
    pub async fn status(&mut self) -> (String, String) {
        loop {
            if let ServerFrame::Presence {
                username, status, ..
            } = self.frame().await.0
            {
                return (username, status);
            }
        }
    }

    /// The next `counts` frame, as `(online, away, dnd)`; other frames are
    /// skipped.
    pub async fn counts(&mut self) -> (usize, usize, usize) {
        loop {
            if let ServerFrame::Counts { online, away, dnd } = self.frame().await.0 {
                return (online, away, dnd);
            }
        }
    }

    /// The reason of the next close request; frames before it are skipped.
    pub async fn closed(&mut self) -> CloseReason {
        loop {
            if let Seen::Closed(reason) = self.next().await {
                return reason;
            }
        }
    }

    /// Asserts that nothing arrives within `quiet`.
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
