//! Live presence: who is online, pushed to every open page.
//!
//! - [`hub`]: the `PresenceHub` actor, the one group of this process, and
//!   the messages it handles.
//! - [`roster`]: the hub's bookkeeping of sockets, users and grace holds,
//!   as plain data with no actors or timers.
//! - [`session`]: the `WsSession` actor, one per WebSocket.
//! - [`sliced`]: the session's outgoing bytes, handed to the HTTP
//!   dispatcher a slice at a time so large frames leave no memory behind.
//! - [`protocol`]: the JSON frames on the wire.
//! - [`store`]: the writer that mirrors the online set into `LoggedInUser`.
//! - [`fanout`]: Redis between processes: shared presence state, bulletins,
//!   node leases (cluster mode only).
//! - [`tcp_cutoff`]: the TCP connection under a socket, to cut off a
//!   client that stopped reading.
//! - [`upgrade`]: the `/users/` route's origin and login checks.

pub mod admission;
pub mod announced;
pub mod change;
pub mod courier;
pub mod ended_logins;
pub mod fanout;
pub mod frame;
pub mod hub;
pub mod progress;
pub mod protocol;
pub mod roster;
pub mod session;
pub mod sliced;
pub mod store;
pub mod tcp_cutoff;
pub mod upgrade;
