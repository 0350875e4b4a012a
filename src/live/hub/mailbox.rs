//! Counting the hub's mailbox for `/metrics`.
//!
//! actix does not expose how many messages wait in an actor's mailbox, so
//! the count is kept by hand: production code sends to the hub through
//! [`tell`] and [`ask`], which count a message in, and every handler
//! starts with `taken`, which counts it out. The gauge is the
//! difference: the hub's backlog.

use actix::{
    Addr, Handler, Message,
    dev::{Request, ToEnvelope},
};

use super::PresenceHub;
use crate::metrics::HUB_MAILBOX;

/// Sends `message` without waiting for the hub to handle it.
pub fn tell<M>(hub: &Addr<PresenceHub>, message: M)
where
    M: Message + Send + 'static,
    M::Result: Send,
    PresenceHub: Handler<M>,
    <PresenceHub as actix::Actor>::Context: ToEnvelope<PresenceHub, M>,
{
    metrics::gauge!(HUB_MAILBOX).increment(1.0);
    hub.do_send(message);
}

/// Sends `message`; the returned future resolves to the hub's answer.
pub fn ask<M>(hub: &Addr<PresenceHub>, message: M) -> Request<PresenceHub, M>
where
    M: Message + Send + 'static,
    M::Result: Send,
    PresenceHub: Handler<M>,
    <PresenceHub as actix::Actor>::Context: ToEnvelope<PresenceHub, M>,
{
    metrics::gauge!(HUB_MAILBOX).increment(1.0);
    hub.send(message)
}

/// Counts in a message sent some other way (through a `Recipient`).
pub(crate) fn counted_in() {
    metrics::gauge!(HUB_MAILBOX).increment(1.0);
}

/// Counts a message out of the mailbox; called first by every handler.
pub(super) fn taken() {
    metrics::gauge!(HUB_MAILBOX).decrement(1.0);
}
