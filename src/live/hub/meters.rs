//! The hub's metrics, resolved once so that recording costs an atomic add.
//!
//! Besides counters and gauges, the hub times each change from the moment
//! it decides it to the moment its sockets are told (the database write
//! and, in a cluster, the round trip through Redis included).

use std::{collections::HashMap, time::Instant};

use metrics::{Gauge, Histogram, counter, gauge, histogram};

use crate::{
    live::change::Change,
    metrics::{HUB_EVENT_LATENCY, ONLINE_USERS, OPEN_SOCKETS, SOCKETS_CLOSED},
};

/// How many undelivered decisions the latency histogram tracks at most.
const PENDING_CAPACITY: usize = 100_000;

/// Handles on every metric the hub records.
pub(super) struct Meters {
    open_sockets: Gauge,
    online_users: Gauge,
    event_latency: Histogram,
    /// When each change still to be announced was decided.
    pending: HashMap<Change, Instant>,
}

impl Meters {
    /// The metrics of the hub of `node_id`.
    pub fn new(node_id: &str) -> Self {
        Self {
            open_sockets: gauge!(OPEN_SOCKETS, "node" => node_id.to_owned()),
            online_users: gauge!(ONLINE_USERS, "node" => node_id.to_owned()),
            event_latency: histogram!(HUB_EVENT_LATENCY),
            pending: HashMap::new(),
        }
    }

    /// The hub decided `change` now.
    pub fn decided(&mut self, change: &Change) {
        if self.pending.len() >= PENDING_CAPACITY {
            // Changes another node's count swallowed are never announced;
            // forget them rather than grow.
            self.pending.clear();
        }
        self.pending.insert(change.clone(), Instant::now());
    }

    /// `change` reached the announcing step.
    pub fn announced(&mut self, change: &Change) {
        if let Some(decided) = self.pending.remove(change) {
            self.event_latency.record(decided.elapsed().as_secs_f64());
        }
    }

    /// How many sockets are registered.
    pub fn count_sockets(&self, sockets: usize) {
        self.open_sockets.set(sockets as f64);
    }

    /// How many users are announced online.
    pub fn count_online_users(&self, users: usize) {
        self.online_users.set(users as f64);
    }

    /// A socket was closed for not reading; `reason` says how it was found.
    pub fn closed_stalled(&self, reason: &'static str) {
        counter!(SOCKETS_CLOSED, "reason" => reason).increment(1);
    }
}
