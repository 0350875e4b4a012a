//! Live presence: who is online, pushed to every open page.
//!
//! The actors, in the order a change travels (see `docs/actors.md`):
//!
//! - [`session`]: the `WsSession` actor, one per WebSocket, on the HTTP
//!   worker that accepted it.
//! - [`hub`]: the `PresenceHub` actor, the one group of this process, and
//!   the messages it handles.
//! - [`courier`]: one actor per HTTP worker, which hands the hub's frames
//!   to that worker's sockets.
//!
//! The plain types the hub is made of, each with its own tests:
//!
//! - [`roster`]: sockets, users and grace holds: who is online here.
//! - [`change`]: a user's attendance here changed (came online, went
//!   away, changed devices, went offline), the one in-process shape of
//!   that fact.
//! - [`status`]: what a user chooses (auto, do not disturb, invisible, a
//!   custom status) and how that and their connections make the status
//!   others see.
//! - [`announced`]: what this node's sockets have been told.
//! - [`ended_logins`]: logins that ended lately, whose late sockets are
//!   turned away.
//! - [`admission`]: the caps on sockets per login, per user and per
//!   address.
//! - [`watchers`]: which sockets watch which users (issue 15), and
//!   [`counts`]: the online, away and dnd counts they get instead.
//!
//! The wire and the machinery around the actors:
//!
//! - [`protocol`]: the JSON frames on the wire; [`frame`]: a frame
//!   serialized and encoded once for every socket.
//! - [`store`]: the writer that mirrors the online set into `LoggedInUser`;
//!   [`profile_store`]: the writer of users' choices to their rows.
//! - [`fanout`]: Redis between processes: shared presence state, bulletins,
//!   node leases (cluster mode only).
//! - [`upgrade`]: the `/users/` route's checks in front of the handshake.
//! - [`sliced`]: a socket's outgoing bytes, handed to the HTTP dispatcher
//!   a slice at a time so large frames leave no memory behind.
//! - [`progress`]: when a socket's output last moved, to find clients that
//!   stopped reading.
//! - [`tcp_cutoff`]: the TCP connection under a socket, to cut off a
//!   client that stopped reading and to close first after a close.

pub mod admission;
pub mod announced;
pub mod change;
pub mod counts;
pub mod courier;
pub mod ended_logins;
pub mod fanout;
pub mod frame;
pub mod hub;
pub mod profile_store;
pub mod progress;
pub mod protocol;
pub mod roster;
pub mod session;
pub mod sliced;
pub mod status;
pub mod store;
pub mod tcp_cutoff;
pub mod upgrade;
pub mod watchers;
