//! [`HeldCluster`]: a hub in a cluster whose Redis answers only when the
//! test says so.
//!
//! A clustered hub announces nothing of its own: it forwards its news to
//! Redis and announces what comes back. Holding the news in between opens,
//! at will, the window that a busy Redis opens by chance: a test can act
//! while its earlier news is still on the way, then let it come back.

use std::time::{Duration, Instant};

use super::TestHub;
use crate::live::{
    fanout::{Fanout, HeldNews},
    hub::{ClusterNews, JoinCluster, News, Reach},
};

/// A clustered hub's news on its way through a stand-in Redis.
pub struct HeldCluster {
    held: HeldNews,
    /// Taken from `held` and not handed back yet, in order.
    pending: Vec<News>,
    hub: crate::live::hub::Hub,
}

impl TestHub {
    /// A hub joined to a cluster of its own on a fresh in-memory SQLite
    /// database, with the news it sends to Redis held in the returned
    /// [`HeldCluster`].
    ///
    /// # Panics
    /// If SQLite cannot be opened or the hub has stopped.
    pub async fn clustered(grace: Duration) -> (Self, HeldCluster) {
        let (fanout, held) = Fanout::held();
        let test_hub = Self::reaching(super::fresh_db().await, grace, Reach::cluster(fanout));
        let joined = test_hub.hub.addr().send(JoinCluster { epoch: 1 });
        joined.await.expect("the hub is running");
        let hub = test_hub.hub.clone();
        let pending = Vec::new();
        (test_hub, HeldCluster { held, pending, hub })
    }
}

impl HeldCluster {
    /// Waits up to `limit` for held news that `wanted` accepts, and
    /// returns a copy of it; everything stays held. `None` if none came.
    pub async fn wait_for(
        &mut self,
        limit: Duration,
        wanted: impl Fn(&News) -> bool,
    ) -> Option<News> {
        let deadline = Instant::now() + limit;
        loop {
            self.pending.extend(self.held.take());
            if let Some(news) = self.pending.iter().find(|news| wanted(news)) {
                return Some(news.clone());
            }
            if Instant::now() > deadline {
                return None;
            }
            actix_web::rt::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Hands every held news back to the hub, in order, as Redis does
    /// once it has ordered it.
    pub fn release(&mut self) {
        self.pending.extend(self.held.take());
        for news in self.pending.drain(..) {
            self.hub.tell(ClusterNews { news });
        }
    }
}
