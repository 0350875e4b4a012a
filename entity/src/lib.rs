//! The sea-orm entities of presence.
//!
//! - [`user`]: an account, with its bcrypt hash and when it was last seen.
//! - [`logged_in_user`]: one row per (user, node) while the user is online on
//!   that server process. The rows mirror the hub's online set, so a page can
//!   be rendered from the database alone.
//! - [`session`]: server-side HTTP session state, keyed by the random key
//!   that the signed cookie carries.
//! - [`site_secret`]: secrets generated once and kept, such as the cookie
//!   signing key when `SECRET_KEY` is not set.
//!
//! Timestamps are Unix epoch milliseconds in `i64` columns, which read the
//! same on SQLite and PostgreSQL and serialise to JSON without ceremony.

pub mod logged_in_user;
pub mod session;
pub mod site_secret;
pub mod user;
