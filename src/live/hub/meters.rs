//! The hub's metrics, resolved once so that recording costs an atomic add.

use metrics::{Counter, Gauge, Histogram, counter, gauge, histogram};

use crate::metrics::{
    FRAMES_DROPPED, FRAMES_SENT, HUB_EVENT_LATENCY, ONLINE_USERS, OPEN_SOCKETS, SOCKETS_CLOSED,
};

/// Handles on every metric the hub records.
pub(super) struct Meters {
    pub open_sockets: Gauge,
    pub online_users: Gauge,
    pub frames_sent: Counter,
    pub frames_dropped: Counter,
    pub closed_slow: Counter,
    pub event_latency: Histogram,
}

impl Meters {
    /// The metrics of the hub of `node_id`.
    pub fn new(node_id: &str) -> Self {
        Self {
            open_sockets: gauge!(OPEN_SOCKETS, "node" => node_id.to_owned()),
            online_users: gauge!(ONLINE_USERS, "node" => node_id.to_owned()),
            frames_sent: counter!(FRAMES_SENT),
            frames_dropped: counter!(FRAMES_DROPPED),
            closed_slow: counter!(SOCKETS_CLOSED, "reason" => "slow"),
            event_latency: histogram!(HUB_EVENT_LATENCY),
        }
    }
}
