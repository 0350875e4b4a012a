//! Shared test fixtures: fresh databases, spawned servers, browsers with
//! their own cookie jars, WebSocket clients, stand-in sessions and nginx
//! in front of a server.

pub mod app;
pub mod browser;
pub mod db;
pub mod hub;
pub mod metrics;
pub mod nginx;
pub mod postgres;
pub mod process;
pub mod raw_socket;
pub mod services;
pub mod socket;
pub mod sqlite_lock;
pub mod statuses;

pub use app::{spawn_app, spawn_app_with};
pub use browser::Browser;
pub use presence::testkit::StandIn;
pub use socket::TestSocket;

/// The password every test user gets.
pub const PASSWORD: &str = "johnson123";
