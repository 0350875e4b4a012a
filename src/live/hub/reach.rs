//! [`Reach`]: how far the hub's news goes. The question "one node or a
//! cluster?" is asked here and nowhere else in the hub.
//!
//! On a single node the hub announces its own [`News`] to its own sockets.
//! In a cluster it hands the news to the [`Fanout`], which orders it in
//! Redis and brings it back, to this hub and to every other, as a
//! bulletin; each hub then announces it to its sockets, exactly as a
//! single node would. While Redis is away, a clustered hub serves its own
//! sockets alone, like a single node, until the link joins again.

use crate::{
    auth::{SessionId, Username},
    live::{change::Change, fanout::Fanout, status::Profile},
};

/// What a hub has to tell the sockets of every node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum News {
    /// Written changes of users' status. From this node's hub they are
    /// changes on this node; back from the cluster they are changes of the
    /// cluster as a whole.
    Changes {
        /// In the order they were decided.
        changes: Vec<Change>,
        /// When they were written (Unix ms): the last-seen time of users
        /// who went offline.
        at: i64,
    },
    /// What a user chose: auto, do not disturb or invisible, and their
    /// custom status. It precedes their attendance when they connect.
    Profile {
        /// Whose.
        user: Username,
        /// All of it.
        profile: Profile,
    },
    /// A new account.
    UserAdded {
        /// Its name.
        user: Username,
    },
    /// A login ended: its sockets close, wherever they are.
    Logout {
        /// Whose login.
        user: Username,
        /// Which login.
        session: SessionId,
    },
}

/// How far the hub's news goes.
pub enum Reach {
    /// A single node: news is announced here.
    Local,
    /// A cluster through Redis.
    Cluster {
        /// The hub's handle on the link to Redis.
        fanout: Fanout,
        /// The epoch of the link's current connection; `None` while Redis
        /// is away, when news is announced here.
        epoch: Option<u64>,
    },
}

impl Reach {
    /// A cluster whose link has not joined yet.
    pub fn cluster(fanout: Fanout) -> Self {
        Self::Cluster {
            fanout,
            epoch: None,
        }
    }

    /// Sends `news` to the cluster. Gives it back when this hub must
    /// announce it itself: always on a single node, and in a cluster while
    /// Redis is away.
    pub fn forward(&self, news: News) -> Option<News> {
        match self {
            Self::Cluster {
                fanout,
                epoch: Some(epoch),
            } => {
                fanout.send(*epoch, news);
                None
            }
            _ => Some(news),
        }
    }

    /// The link (re)joined the cluster as `epoch`.
    pub fn joined(&mut self, epoch: u64) {
        if let Self::Cluster { epoch: current, .. } = self {
            *current = Some(epoch);
        }
    }

    /// Whether news goes to the cluster now.
    pub fn is_joined(&self) -> bool {
        matches!(self, Self::Cluster { epoch: Some(_), .. })
    }

    /// The link lost Redis.
    pub fn lost(&mut self) {
        if let Self::Cluster { epoch, .. } = self {
            *epoch = None;
        }
    }

    /// Stops forwarding, and returns the link for the caller to stop.
    pub fn leave(&mut self) -> Option<Fanout> {
        match std::mem::replace(self, Self::Local) {
            Self::Local => None,
            Self::Cluster { fanout, .. } => Some(fanout),
        }
    }
}
