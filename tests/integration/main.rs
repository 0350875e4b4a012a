//! Integration tests: the real server on 127.0.0.1, port 0, with a fresh
//! database per test (SQLite, or PostgreSQL when `DATABASE_URL` names one),
//! and the hub driven directly with stand-in sessions.
//!
//! One test binary keeps link time down; each module is one area.

mod accounts;
mod cluster;
mod corpus;
mod csrf;
mod db_stall;
mod directory;
mod hub;
mod hub_status;
mod lifecycle;
mod list_order;
mod login_costs;
mod operations;
mod pages;
mod props;
mod proxy;
mod rich_presence;
mod signing_key;
mod slow_consumers;
mod sockets;
mod support;
mod throttling;
mod usernames;
mod watch_hub;
mod watch_sockets;
mod ws_hardening;
