//! What the link tells the cluster: the hub's news, as the atomic scripts
//! (which publish the ordered bulletins) or as plain bulletins.

use redis::aio::MultiplexedConnection;

use super::{Link, LinkResult, timed};
use crate::{
    db::now_millis,
    live::{fanout::bulletin::Bulletin, hub::News},
};

impl Link {
    /// Hands the hub's news to Redis: changes and new accounts through the
    /// scripts (which publish the bulletins), logouts as a plain bulletin.
    pub(super) async fn send(
        &mut self,
        news: News,
        conn: &mut MultiplexedConnection,
    ) -> LinkResult<()> {
        match news {
            News::Changes { changes, at } => {
                timed("announce", self.scripts.changes(conn, &changes, at)).await
            }
            News::UserAdded { user } => {
                timed(
                    "announce",
                    self.scripts.user_added(conn, &user, now_millis()),
                )
                .await
            }
            News::Logout { user, session } => {
                let bulletin = Bulletin::Logout {
                    user: user.to_string(),
                    session: session.as_str().to_owned(),
                    origin: self.config.node_id.clone(),
                };
                self.publish(&bulletin, conn).await
            }
            News::Profile { user, profile } => {
                // Kept for the state of nodes that join later, and published.
                let text = serde_json::to_string(&Bulletin::profile(&user, &profile))?;
                let chose = profile.is_chosen();
                timed("profile", self.scripts.profile(conn, &user, &text, chose)).await
            }
        }
    }

    /// Publishes a bulletin that is not part of the ordered state.
    async fn publish(
        &self,
        bulletin: &Bulletin,
        conn: &mut MultiplexedConnection,
    ) -> LinkResult<()> {
        let text = serde_json::to_string(bulletin)?;
        let mut publish = redis::cmd("PUBLISH");
        publish.arg(self.keys.channel()).arg(text);
        timed("publish", publish.query_async::<()>(conn)).await
    }
}
