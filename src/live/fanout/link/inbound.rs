//! What the link hears from the cluster: bulletins on the channel, and the
//! whole state after a join or a missed bulletin.

use redis::{Msg, aio::MultiplexedConnection};

use super::{Link, LinkResult, timed};
use crate::{
    auth::{SessionId, Username},
    db::now_millis,
    live::{
        change::Change,
        fanout::bulletin::{self, Bulletin},
        hub::{ClusterNews, ClusterState, News},
    },
};

impl Link {
    /// Hands one bulletin to the hub, in order; reloads the state when
    /// one was missed.
    pub(super) async fn on_message(
        &mut self,
        message: &Msg,
        conn: &mut MultiplexedConnection,
    ) -> LinkResult<()> {
        let Ok(bulletin) = serde_json::from_slice::<Bulletin>(message.get_payload_bytes()) else {
            tracing::warn!("ignoring an unreadable bulletin");
            return Ok(());
        };
        let Some(seq) = bulletin.seq() else {
            self.on_unordered(bulletin);
            return Ok(());
        };
        if seq <= self.last_seq {
            return Ok(()); // already part of the state we loaded
        }
        let gap = seq > self.last_seq + 1;
        if gap {
            tracing::warn!(
                expected = self.last_seq + 1,
                got = seq,
                "missed bulletins; reloading the cluster state"
            );
            self.last_seq = self.load_state(conn).await?;
        }
        match bulletin {
            Bulletin::Presence {
                user,
                online,
                at,
                code,
                ..
            } if !gap => {
                if let Ok(user) = Username::parse(&user) {
                    let at = at.unwrap_or_else(now_millis);
                    let change = match code {
                        Some(code) if online => Change {
                            user,
                            attendance: Some(bulletin::attendance(code)),
                        },
                        _ => Change::to(user, online),
                    };
                    self.tell_news(News::Changes {
                        changes: vec![change],
                        at,
                    });
                }
            }
            Bulletin::UserAdded { user, .. } => {
                if let Ok(user) = Username::parse(&user) {
                    self.tell_news(News::UserAdded { user });
                }
            }
            _ => {}
        }
        self.last_seq = self.last_seq.max(seq);
        Ok(())
    }

    /// Profiles and logouts: not part of the ordered state.
    fn on_unordered(&self, bulletin: Bulletin) {
        if let Some((user, profile)) = bulletin.read_profile() {
            self.tell_news(News::Profile { user, profile });
        }
        if let Bulletin::Logout {
            user,
            session,
            origin,
        } = bulletin
            && origin != self.config.node_id
            && let Ok(user) = Username::parse(&user)
        {
            let session = SessionId::from_string(session);
            self.tell_news(News::Logout { user, session });
        }
    }

    fn tell_news(&self, news: News) {
        self.hub.tell(ClusterNews { news });
    }

    /// Reads the cluster's state (who is online, how, and what they
    /// chose), hands it to the hub, and returns its sequence number.
    pub(super) async fn load_state(&self, conn: &mut MultiplexedConnection) -> LinkResult<u64> {
        let state = timed("state", self.scripts.state(conn)).await?;
        let online = state
            .online
            .into_iter()
            .filter_map(|(name, attendance)| Some((Username::parse(&name).ok()?, attendance)))
            .collect();
        let profiles = state
            .profiles
            .iter()
            .filter_map(|text| serde_json::from_str::<Bulletin>(text).ok()?.read_profile())
            .collect();
        self.hub.tell(ClusterState { online, profiles });
        Ok(state.seq)
    }
}
