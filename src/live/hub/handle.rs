//! [`Hub`]: the way into the hub, which counts its mailbox.
//!
//! actix does not say how many messages wait in an actor's mailbox, and the
//! hub's backlog is the first thing to look at when presence lags. So
//! everything production code sends the hub goes through this handle:
//! [`Hub::tell`] and [`Hub::ask`] count a message in and wrap it in
//! [`Counted`], and the hub's one generic handler for `Counted<M>` counts
//! it out and passes `M` to the handler written for it. The gauge is the
//! difference. A test that sends to the hub's `Addr` directly skips both
//! steps, so it cannot make the gauge drift.

use actix::{
    Actor, Addr, AsyncContext, Context, Handler, Message,
    dev::{MessageResponse, OneshotSender, Request, ToEnvelope},
};

use super::PresenceHub;
use crate::metrics::HUB_MAILBOX;

/// A handle on a running [`PresenceHub`]. Cloning it is cheap.
#[derive(Clone)]
pub struct Hub(Addr<PresenceHub>);

impl Hub {
    /// Starts `hub` on the current arbiter.
    pub fn start(hub: PresenceHub) -> Self {
        Self(hub.start())
    }

    /// Starts the hub that `build` returns, giving `build` the handle
    /// first, so that the parts the hub is made of (its store and its
    /// cluster link) can report back to it.
    pub fn start_with(build: impl FnOnce(&Hub) -> PresenceHub) -> Self {
        Self(PresenceHub::create(|ctx| build(&Self(ctx.address()))))
    }

    /// Sends `message` without waiting for the hub to handle it.
    pub fn tell<M>(&self, message: M)
    where
        M: Message + Send + 'static,
        M::Result: Send,
        PresenceHub: Handler<M>,
        <PresenceHub as Actor>::Context: ToEnvelope<PresenceHub, Counted<M>>,
    {
        metrics::gauge!(HUB_MAILBOX).increment(1.0);
        self.0.do_send::<Counted<M>>(Counted(message));
    }

    /// Sends `message`; the returned future resolves to the hub's answer.
    pub fn ask<M>(&self, message: M) -> Request<PresenceHub, Counted<M>>
    where
        M: Message + Send + 'static,
        M::Result: Send,
        PresenceHub: Handler<M>,
        <PresenceHub as Actor>::Context: ToEnvelope<PresenceHub, Counted<M>>,
    {
        metrics::gauge!(HUB_MAILBOX).increment(1.0);
        self.0.send::<Counted<M>>(Counted(message))
    }

    /// The hub's address, for tests that send to it directly.
    pub fn addr(&self) -> &Addr<PresenceHub> {
        &self.0
    }
}

/// A message that was counted into the hub's mailbox.
pub struct Counted<M>(M);

impl<M: Message> Message for Counted<M> {
    type Result = M::Result;
}

impl<M> Handler<Counted<M>> for PresenceHub
where
    M: Message + 'static,
    PresenceHub: Handler<M>,
{
    type Result = Relay<<PresenceHub as Handler<M>>::Result>;

    /// The one place a message is counted out of the mailbox.
    fn handle(&mut self, Counted(message): Counted<M>, ctx: &mut Context<Self>) -> Self::Result {
        metrics::gauge!(HUB_MAILBOX).decrement(1.0);
        Relay(<Self as Handler<M>>::handle(self, message, ctx))
    }
}

/// The answer of the handler for `M`, passed on as the answer to
/// `Counted<M>` (both messages have the same result type).
pub struct Relay<R>(R);

impl<M, R> MessageResponse<PresenceHub, Counted<M>> for Relay<R>
where
    M: Message,
    R: MessageResponse<PresenceHub, M>,
{
    fn handle(self, ctx: &mut Context<PresenceHub>, tx: Option<OneshotSender<M::Result>>) {
        self.0.handle(ctx, tx);
    }
}
