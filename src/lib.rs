//! # presence
//!
//! A real-time presence service: people sign up, log in, and see every user
//! with a live Online/Offline status that changes in their browser the moment
//! someone else logs in, opens a tab, closes the last one or logs out.
//!
//! It is the classic Django Channels tutorial app done properly with actors:
//!
//! ```text
//!   browser tab ──WebSocket──▶ WsSession ──Connect/Disconnect──▶ PresenceHub
//!   log-in form ──HTTP POST──▶ handler   ──UserLoggedIn/Out────▶     │ decide
//!                                                                    ▼
//!                                                    PresenceStore (LoggedInUser rows)
//!                                                                    │ Persisted
//!   every socket ◀── outbox ◀── Courier (one per worker) ◀── Batch ◀─┘ announce
//! ```
//!
//! - Each WebSocket connection is a [`live::session::WsSession`] actor.
//!   It registers with the one [`live::hub::PresenceHub`] of the process
//!   when it starts, and leaves when it stops.
//! - The hub counts connections per user. The first one announces the user;
//!   the last one going away starts a grace period, after which the user is
//!   announced offline. A login counts as a connection for that period.
//! - Every change is written to the `LoggedInUser` rows first and announced
//!   second, so a client that sees an event and then loads `/` sees the
//!   same state. Each event is serialized and encoded once; the hub hands
//!   it to one [`live::courier::Courier`] per HTTP worker, which puts it in
//!   the outbox of each of that worker's sockets.
//! - In a cluster, news goes through Redis to every node's hub (see
//!   [`live::fanout`]).
//!
//! `docs/actors.md` is a tour of the actors and their messages, with
//! sequence diagrams; `cargo run --example hub_by_hand` plays its scenes.
//!
//! # Layout
//!
//! - [`config`]: the settings, each with an environment variable and a flag.
//! - [`routes`]: the URL map and the extractors' error pages.
//! - [`startup`]: builds the app from a [`config::Config`] and a listener, and
//!   shuts it down cleanly.
//! - [`shutdown`]: Ctrl-C, SIGTERM and the handle that ask for that shutdown.
//! - [`db`]: connecting to SQLite or PostgreSQL and running the migrations.
//! - [`lookup`]: reading the one row a unique key names, without `LIMIT ?`.
//! - [`deployment`]: one node or a cluster: what differs between the two.
//! - [`testkit`] (feature `testkit`): stand-in sessions and a hub to drive
//!   them, for tests outside the crate.
//! - [`users`]: data access for accounts and the rendered directory, and
//!   what a single node remembers of accounts.
//! - [`sessions`]: the actix-session store over the sea-orm `session` table,
//!   remembered in memory on a single node.
//! - [`auth`]: usernames, passwords (hashed off the event loops, behind a
//!   bounded queue), CSRF cookies, the current user, the limits on attempts
//!   and the sign-up, log-in and log-out routes.
//! - [`signing_key`]: the key that signs cookies, from `SECRET_KEY` or kept
//!   in the database.
//! - [`live`]: live presence: the hub and session actors, the wire protocol,
//!   the persistence of the online set and the cluster fanout.
//! - [`pages`]: the user list page.
//! - [`api`]: the JSON directory behind search and paging.
//! - [`templates`]: the Tera templates, embedded in the binary.
//! - [`assets`]: the CSS, JavaScript and favicon, embedded in the binary.
//! - [`telemetry`]: tracing set-up and the per-request log line.
//! - [`health`]: the `/healthz` check.
//! - [`throttle`]: bounded counters behind the rate limits of logins and
//!   sign-ups.
//! - [`security`]: security headers, and HSTS and `Secure` cookies over HTTPS.
//! - [`forwarded`]: the client's address and scheme, through a trusted proxy
//!   (the right-most `X-Forwarded-For` hop).
//! - [`shared_redis`]: a shared Redis connection for request-time work.
//! - [`error`]: the one error type that handlers return, rendered as a page.
//! - [`metrics`]: the Prometheus catalogue and `/metrics`.
//! - [`open_files`]: raising the open-files limit at start, for sockets.

pub mod api;
pub mod assets;
pub mod auth;
pub mod config;
pub mod db;
pub mod deployment;
pub mod error;
pub mod forwarded;
pub mod health;
pub mod live;
pub mod lookup;
pub mod metrics;
pub mod open_files;
pub mod pages;
pub mod routes;
pub mod security;
pub mod sessions;
pub mod shared_redis;
pub mod shutdown;
pub mod signing_key;
pub mod startup;
pub mod telemetry;
pub mod templates;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod throttle;
pub mod users;
