//! The courier: one per HTTP worker thread, it hands the hub's frames to
//! that thread's sockets.
//!
//! Every socket lives on one of the HTTP workers. Rather than one actor
//! message per socket per event, the hub sends each worker's courier one
//! [`Batch`], and the courier puts it in the [`Outbox`](outbox) of each
//! socket it is for and wakes that socket's connection, which writes the
//! frames' wire bytes as they are (see [`Frame`]). So an event costs the
//! hub one message per worker, the workers share the rest, and a socket's
//! delivery is a reference count, a queue push and a wake-up.
//!
//! A socket joins when its snapshot arrives (a batch for it alone, which
//! the hub sends before any other): only then do batches for every joined
//! socket include it, so no event reaches it before the snapshot it
//! applies to. A socket whose outbox is full is not reading: the courier
//! closes its outbox and tells the hub, which cuts it off.
//!
//! A socket starts on the full feed: batches for every joined socket
//! ([`Audience::Joined`]) are for it. Its first `watch` answer
//! ([`Audience::Watch`]) takes it off: from then on it gets only batches
//! that name it, and those for every watching socket (the counts). The
//! hub sends the answer on the same mailbox as everything else, so no
//! event reaches the socket both ways or neither way.

mod outbox;

use std::{
    cell::{Cell, RefCell},
    collections::HashMap,
    rc::Rc,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use actix::prelude::*;

pub use self::outbox::{Claim, OUTBOX_CAPACITY};
use self::outbox::{Outbox, Pushed};
use crate::{
    live::{
        counts::slice_of,
        frame::Frame,
        hub::{ConnId, Hub, Stalled},
    },
    metrics::{FRAMES_DROPPED, FRAMES_SENT},
};

/// Names one courier among every courier (and stand-in) of the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CourierId(u64);

impl CourierId {
    /// A new, unique id.
    pub fn fresh() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Names one outbox of a courier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OutboxId(pub u64);

/// Where the hub sends one socket's frames.
#[derive(Clone)]
pub struct Route {
    /// The socket's courier.
    pub courier: CourierId,
    /// Its mailbox.
    pub via: Recipient<Batch>,
    /// The socket's outbox there.
    pub outbox: OutboxId,
}

/// Frames for some of a courier's sockets, in order.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Batch {
    /// Serialized and encoded once, shared by every socket.
    pub frames: Arc<[Frame]>,
    /// Which sockets.
    pub to: Audience,
}

/// The sockets a batch is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Every socket of the courier that has joined and is on the full
    /// feed (has never watched).
    Joined,
    /// Every joined socket of the courier that watches.
    Watching,
    /// The joined sockets of the courier that watch and whose outbox
    /// falls in `slice` (see [`slice_of`]): the counts, a slice at a time.
    WatchingSlice {
        /// Which slice.
        slice: usize,
    },
    /// Some joined sockets: one user's own, say, or the watchers of one.
    Several(Vec<OutboxId>),
    /// One joined socket's answer to its `watch`: from this batch on, it
    /// is off the full feed.
    Watch {
        /// Its outbox.
        outbox: OutboxId,
    },
    /// One socket. With `join`, this is its snapshot, and from then on it
    /// is joined, as the hub's `conn`.
    One {
        /// Its outbox.
        outbox: OutboxId,
        /// The hub's id for it, on its snapshot.
        join: Option<ConnId>,
    },
}

/// The outboxes of one worker's sockets.
#[derive(Default)]
pub(crate) struct Shelf {
    outboxes: RefCell<HashMap<OutboxId, Rc<Outbox>>>,
    next: Cell<u64>,
}

impl Shelf {
    fn remove(&self, id: OutboxId) {
        self.outboxes.borrow_mut().remove(&id);
    }
}

/// The courier actor of one worker thread.
pub struct Courier {
    shelf: Rc<Shelf>,
    hub: Hub,
}

impl Actor for Courier {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // One batch per event: a courier this far behind has a worker
        // that cannot keep up, and the hub cuts its sockets instead.
        ctx.set_mailbox_capacity(1 << 16);
    }
}

impl Handler<Batch> for Courier {
    type Result = ();

    fn handle(&mut self, batch: Batch, _: &mut Context<Self>) {
        let (mut sent, mut dropped) = (0u64, 0u64);
        let mut full = Vec::new();
        let mut push = |outbox: &Outbox| match outbox.push(batch.frames.clone()) {
            Pushed::Queued => sent += 1,
            Pushed::Closed => dropped += 1,
            Pushed::Full => {
                dropped += 1;
                outbox.close();
                full.extend(outbox.conn.get());
            }
        };
        match batch.to {
            Audience::Joined => {
                for outbox in self.shelf.outboxes.borrow().values() {
                    if outbox.is_joined() && !outbox.watches.get() {
                        push(outbox);
                    }
                }
            }
            Audience::Watching => {
                for outbox in self.shelf.outboxes.borrow().values() {
                    if outbox.is_joined() && outbox.watches.get() {
                        push(outbox);
                    }
                }
            }
            Audience::WatchingSlice { slice } => {
                for (id, outbox) in self.shelf.outboxes.borrow().iter() {
                    if slice_of(*id) == slice && outbox.is_joined() && outbox.watches.get() {
                        push(outbox);
                    }
                }
            }
            Audience::Watch { outbox: id } => {
                if let Some(outbox) = self.shelf.outboxes.borrow().get(&id)
                    && outbox.is_joined()
                {
                    outbox.watches.set(true);
                    push(outbox);
                }
            }
            Audience::Several(ids) => {
                let outboxes = self.shelf.outboxes.borrow();
                for outbox in ids.iter().filter_map(|id| outboxes.get(id)) {
                    if outbox.is_joined() {
                        push(outbox);
                    }
                }
            }
            Audience::One { outbox: id, join } => {
                if let Some(outbox) = self.shelf.outboxes.borrow().get(&id) {
                    if let Some(conn) = join
                        && !outbox.is_closed()
                    {
                        outbox.conn.set(Some(conn));
                    }
                    push(outbox);
                }
            }
        }
        let per_socket = batch.frames.len() as u64;
        metrics::counter!(FRAMES_SENT).increment(sent * per_socket);
        metrics::counter!(FRAMES_DROPPED).increment(dropped * per_socket);
        for conn in full {
            self.hub.tell(Stalled { conn });
        }
    }
}

/// A worker's handle on its courier, shared by the sessions of that
/// worker (through `web::Data`, which each worker builds for itself).
#[derive(Clone)]
pub struct CourierDesk {
    id: CourierId,
    courier: Addr<Courier>,
    shelf: Rc<Shelf>,
    hub: Hub,
}

impl CourierDesk {
    /// Starts a courier on the current thread's arbiter.
    pub fn start(hub: Hub) -> Self {
        let shelf = Rc::new(Shelf::default());
        let courier = Courier {
            shelf: shelf.clone(),
            hub: hub.clone(),
        }
        .start();
        Self {
            id: CourierId::fresh(),
            courier,
            shelf,
            hub,
        }
    }

    /// A new outbox: the claim the socket's output holds, and the route the
    /// hub sends its frames by.
    pub fn open_outbox(&self) -> (Claim, Route) {
        let id = OutboxId(self.shelf.next.get());
        self.shelf.next.set(id.0 + 1);
        let outbox = Rc::new(Outbox::new());
        self.shelf.outboxes.borrow_mut().insert(id, outbox.clone());
        let claim = Claim {
            id,
            outbox,
            shelf: self.shelf.clone(),
            hub: self.hub.clone(),
            said_goodbye: Cell::new(false),
            behind: Cell::new(false),
        };
        let route = Route {
            courier: self.id,
            via: self.courier.clone().recipient(),
            outbox: id,
        };
        (claim, route)
    }
}
