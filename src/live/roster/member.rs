//! What the roster registers: a socket ([`Member`], named by a [`ConnId`])
//! and the holds that keep a user online without one ([`HoldId`]).

use crate::{
    auth::{SessionId, Username},
    live::status::Device,
};

/// The hub's id for one socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// Names one hold, so a timer for a hold that was since replaced or
/// cancelled does nothing when it fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoldId(pub(super) u64);

/// A registered socket: whose it is, under which login, on what kind of
/// device, whether its page is active, and whatever the hub needs to reach
/// it (`S`).
#[derive(Debug)]
pub struct Member<S> {
    /// The socket's user.
    pub user: Username,
    /// The login the socket was opened under.
    pub session: SessionId,
    /// The kind of device the socket is on.
    pub device: Device,
    /// Whether its page is active (sockets start active).
    pub active: bool,
    /// How to reach the socket.
    pub handle: S,
}
