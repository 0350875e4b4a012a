//! [`Couriers`]: the couriers that hold the hub's sockets, how many each
//! holds, and how many of those watch rather than take the full feed.
//!
//! A courier with no socket on the full feed gets no full-feed batch, and
//! one with no watching socket gets no counts: an event costs the hub one
//! message per courier that has someone to give it to.

use std::{collections::HashMap, sync::Arc};

use actix::prelude::*;

use crate::live::{
    courier::{Audience, Batch, CourierId, Route},
    frame::Frame,
};

/// One courier, and its sockets.
struct Held {
    via: Recipient<Batch>,
    sockets: usize,
    watching: usize,
}

/// Which of a courier's sockets a batch for all of them is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Feed {
    /// The sockets on the full feed.
    Full,
    /// The sockets that watch.
    Watching,
    /// The sockets that watch, in one slice of them (see
    /// [`slice_of`](crate::live::counts::slice_of)).
    WatchingSlice(usize),
}

/// The couriers that hold this hub's sockets. See the module docs.
#[derive(Default)]
pub(super) struct Couriers(HashMap<CourierId, Held>);

impl Couriers {
    /// Counts a socket reached through `route`, on the full feed.
    pub fn register(&mut self, route: &Route) {
        let held = self.0.entry(route.courier).or_insert_with(|| Held {
            via: route.via.clone(),
            sockets: 0,
            watching: 0,
        });
        held.sockets += 1;
    }

    /// Counts a socket reached through `route` as watching from now on.
    pub fn start_watching(&mut self, route: &Route) {
        if let Some(held) = self.0.get_mut(&route.courier) {
            held.watching = (held.watching + 1).min(held.sockets);
        }
    }

    /// Forgets a socket reached through `route` (`watching`, if it was).
    pub fn release(&mut self, route: &Route, watching: bool) {
        if let Some(held) = self.0.get_mut(&route.courier) {
            held.sockets = held.sockets.saturating_sub(1);
            if watching {
                held.watching = held.watching.saturating_sub(1);
            }
            if held.sockets == 0 {
                self.0.remove(&route.courier);
            }
        }
    }

    /// Forgets every socket.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Sends `frames` to every courier with sockets on `feed`, for those
    /// sockets. Returns the couriers that refused, and whether each was
    /// full.
    pub fn send(&self, feed: Feed, frames: &Arc<[Frame]>) -> Vec<(CourierId, bool)> {
        let mut failed = Vec::new();
        for (id, held) in &self.0 {
            let (wanted, to) = match feed {
                Feed::Full => (held.sockets > held.watching, Audience::Joined),
                Feed::Watching => (held.watching > 0, Audience::Watching),
                Feed::WatchingSlice(slice) => {
                    (held.watching > 0, Audience::WatchingSlice { slice })
                }
            };
            if !wanted {
                continue;
            }
            let batch = Batch {
                frames: frames.clone(),
                to,
            };
            if let Err(err) = held.via.try_send(batch) {
                failed.push((*id, matches!(err, SendError::Full(_))));
            }
        }
        failed
    }
}
