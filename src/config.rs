//! Settings.
//!
//! Every setting has an environment variable and a command-line flag, and
//! `presence --help` documents them all. The variable names are a contract:
//! scripts outside the project drive the server through them.

mod secret_key;
mod sockets;
#[cfg(test)]
mod tests;

use std::time::Duration;

use clap::Parser;

pub use secret_key::{SecretKey, SecretKeyTooShort};
pub use sockets::SocketLimits;

/// Where the server listens unless told otherwise.
pub const DEFAULT_BIND_ADDR: &str = "127.0.0.1:8000";
/// An SQLite file next to the working directory, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://presence.db?mode=rwc";
/// The bcrypt work factor: about a quarter of a second per hash on one core.
pub const DEFAULT_BCRYPT_COST: u32 = 12;
/// How long a user stays online after their last connection closes.
pub const DEFAULT_PRESENCE_GRACE_MS: u64 = 1500;
/// How long a login keeps its user online until the page opens its socket.
pub const DEFAULT_PRESENCE_LOGIN_HOLD_MS: u64 = 10_000;
/// Five minutes without input (or hidden) before a page reports idle.
pub const DEFAULT_PRESENCE_IDLE_MS: u64 = 300_000;
/// How often the server pings each WebSocket.
pub const DEFAULT_WS_HEARTBEAT_MS: u64 = 5000;
/// How long a WebSocket may stay silent before it is dropped.
pub const DEFAULT_WS_CLIENT_TIMEOUT_MS: u64 = 15000;
/// The namespace of every Redis key and channel of a cluster.
pub const DEFAULT_REDIS_PREFIX: &str = "presence";
/// Failed logins per username and address within the window.
pub const DEFAULT_LOGIN_FAILURE_LIMIT: u32 = 5;
/// Five minutes.
pub const DEFAULT_LOGIN_FAILURE_WINDOW_SECS: u64 = 300;
/// Failed logins per address (IPv6: per /64), across usernames.
pub const DEFAULT_LOGIN_ADDRESS_FAILURE_LIMIT: u32 = 50;
/// Five minutes.
pub const DEFAULT_LOGIN_ADDRESS_FAILURE_WINDOW_SECS: u64 = 300;
/// Password hashes and checks that may wait or run at once.
pub const DEFAULT_BCRYPT_QUEUE_LIMIT: usize = 32;
/// Sign-up attempts per address within the window.
pub const DEFAULT_SIGNUP_LIMIT: u32 = 20;
/// An hour.
pub const DEFAULT_SIGNUP_WINDOW_SECS: u64 = 3600;
/// The log filter unless `RUST_LOG` says otherwise.
pub const DEFAULT_RUST_LOG: &str = "info";

/// The settings of one presence process.
#[derive(Parser, Clone, Debug)]
#[command(
    name = "presence",
    version,
    about = "Real-time presence: who is online, pushed live over WebSockets.",
    long_about = "Real-time presence: who is online, pushed live over WebSockets.\n\n\
                  Every setting below can be given as a flag or as the environment \
                  variable shown in brackets."
)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "BIND_ADDR", default_value = DEFAULT_BIND_ADDR)]
    pub bind_addr: String,

    /// Database URL: `sqlite://FILE?mode=rwc` or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// Key that signs the session and CSRF cookies, at least 32 bytes.
    /// When unset, a key generated once and kept in the database is used,
    /// so logins survive restarts and nodes sharing a database share it.
    #[arg(long, env = "SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<SecretKey>,

    /// bcrypt cost factor for password hashes (4 to 31).
    #[arg(long, env = "BCRYPT_COST", default_value_t = DEFAULT_BCRYPT_COST,
          value_parser = clap::value_parser!(u32).range(4..=31))]
    pub bcrypt_cost: u32,

    /// Password hashes and checks that may wait or run at once; past it,
    /// logins and sign-ups get 503 with `Retry-After`.
    #[arg(long, env = "BCRYPT_QUEUE_LIMIT", default_value_t = DEFAULT_BCRYPT_QUEUE_LIMIT,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=65_536))]
    pub bcrypt_queue_limit: usize,

    /// Milliseconds a user stays online after their last connection closes.
    #[arg(long, env = "PRESENCE_GRACE_MS", default_value_t = DEFAULT_PRESENCE_GRACE_MS)]
    pub presence_grace_ms: u64,

    /// Milliseconds a login keeps its user online until the page opens its
    /// socket. Longer than the grace period: loading a page on a slow phone
    /// takes seconds, and a hold that ran out first would show the user
    /// going offline and back to everyone.
    #[arg(long, env = "PRESENCE_LOGIN_HOLD_MS", default_value_t = DEFAULT_PRESENCE_LOGIN_HOLD_MS)]
    pub presence_login_hold_ms: u64,

    /// Milliseconds without input in a page, or with the page hidden,
    /// before it reports its connection idle; a user whose connections are
    /// all idle is shown away.
    #[arg(long, env = "PRESENCE_IDLE_MS", default_value_t = DEFAULT_PRESENCE_IDLE_MS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub presence_idle_ms: u64,

    /// Milliseconds between the server's WebSocket pings.
    #[arg(long, env = "WS_HEARTBEAT_MS", default_value_t = DEFAULT_WS_HEARTBEAT_MS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub ws_heartbeat_ms: u64,

    /// Milliseconds a WebSocket may stay silent before the server drops it.
    #[arg(long, env = "WS_CLIENT_TIMEOUT_MS", default_value_t = DEFAULT_WS_CLIENT_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub ws_client_timeout_ms: u64,

    /// This process's id in the `LoggedInUser` rows and in the cluster.
    /// Defaults to a random id, logged at start.
    #[arg(long, env = "NODE_ID")]
    pub node_id: Option<String>,

    /// Redis URL, e.g. `redis://127.0.0.1:6379`. Setting it switches on
    /// cluster mode: sessions and presence are shared with every process
    /// that uses the same Redis, prefix and database.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,

    /// Prefix of every Redis key and channel, so that several clusters (or
    /// test runs) can share one Redis.
    #[arg(long, env = "REDIS_PREFIX", default_value = DEFAULT_REDIS_PREFIX)]
    pub redis_prefix: String,

    /// Log filter in tracing's syntax, e.g. `info` or `info,presence=debug`.
    #[arg(long, env = "RUST_LOG", default_value = DEFAULT_RUST_LOG)]
    pub rust_log: String,

    /// Log line format: `text` for people, `json` for log collectors.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Mark cookies `Secure` (send them over HTTPS only).
    #[arg(long, env = "COOKIE_SECURE", default_value_t = false, action = clap::ArgAction::Set)]
    pub cookie_secure: bool,

    /// Trust `X-Forwarded-For` and `X-Forwarded-Proto` from a reverse proxy:
    /// the client address is the last hop the proxy added, and cookies are
    /// `Secure` when the proxy says the client used HTTPS.
    #[arg(long, env = "TRUST_PROXY", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_proxy: bool,

    /// Failed logins for one username from one address before further
    /// attempts get 429 (0 disables the limit).
    #[arg(long, env = "LOGIN_FAILURE_LIMIT", default_value_t = DEFAULT_LOGIN_FAILURE_LIMIT)]
    pub login_failure_limit: u32,

    /// Seconds the login failures are counted over.
    #[arg(long, env = "LOGIN_FAILURE_WINDOW_SECS", default_value_t = DEFAULT_LOGIN_FAILURE_WINDOW_SECS)]
    pub login_failure_window_secs: u64,

    /// Failed logins from one address (an IPv6 /64), whatever the
    /// usernames, before further attempts get 429 (0 disables the limit).
    #[arg(long, env = "LOGIN_ADDRESS_FAILURE_LIMIT", default_value_t = DEFAULT_LOGIN_ADDRESS_FAILURE_LIMIT)]
    pub login_address_failure_limit: u32,

    /// Seconds the failures per address are counted over.
    #[arg(long, env = "LOGIN_ADDRESS_FAILURE_WINDOW_SECS",
          default_value_t = DEFAULT_LOGIN_ADDRESS_FAILURE_WINDOW_SECS)]
    pub login_address_failure_window_secs: u64,

    /// Sign-up attempts from one address before further ones get 429
    /// (0 disables the limit).
    #[arg(long, env = "SIGNUP_LIMIT", default_value_t = DEFAULT_SIGNUP_LIMIT)]
    pub signup_limit: u32,

    /// Seconds the sign-up attempts are counted over.
    #[arg(long, env = "SIGNUP_WINDOW_SECS", default_value_t = DEFAULT_SIGNUP_WINDOW_SECS)]
    pub signup_window_secs: u64,

    /// The WebSocket limits.
    #[command(flatten)]
    pub sockets: SocketLimits,
}

/// How log lines are written.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl Default for Config {
    /// The documented defaults, ignoring the environment (tests start here).
    fn default() -> Self {
        Self {
            bind_addr: DEFAULT_BIND_ADDR.to_owned(),
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            secret_key: None,
            bcrypt_cost: DEFAULT_BCRYPT_COST,
            bcrypt_queue_limit: DEFAULT_BCRYPT_QUEUE_LIMIT,
            presence_grace_ms: DEFAULT_PRESENCE_GRACE_MS,
            presence_login_hold_ms: DEFAULT_PRESENCE_LOGIN_HOLD_MS,
            presence_idle_ms: DEFAULT_PRESENCE_IDLE_MS,
            ws_heartbeat_ms: DEFAULT_WS_HEARTBEAT_MS,
            ws_client_timeout_ms: DEFAULT_WS_CLIENT_TIMEOUT_MS,
            node_id: None,
            redis_url: None,
            redis_prefix: DEFAULT_REDIS_PREFIX.to_owned(),
            rust_log: DEFAULT_RUST_LOG.to_owned(),
            log_format: LogFormat::Text,
            cookie_secure: false,
            trust_proxy: false,
            login_failure_limit: DEFAULT_LOGIN_FAILURE_LIMIT,
            login_failure_window_secs: DEFAULT_LOGIN_FAILURE_WINDOW_SECS,
            login_address_failure_limit: DEFAULT_LOGIN_ADDRESS_FAILURE_LIMIT,
            login_address_failure_window_secs: DEFAULT_LOGIN_ADDRESS_FAILURE_WINDOW_SECS,
            signup_limit: DEFAULT_SIGNUP_LIMIT,
            signup_window_secs: DEFAULT_SIGNUP_WINDOW_SECS,
            sockets: SocketLimits::default(),
        }
    }
}

/// A combination of settings that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The timeout would drop clients before their first ping is due.
    #[error("WS_CLIENT_TIMEOUT_MS ({timeout}) must be larger than WS_HEARTBEAT_MS ({heartbeat})")]
    TimeoutNotAboveHeartbeat {
        /// `WS_CLIENT_TIMEOUT_MS`.
        timeout: u64,
        /// `WS_HEARTBEAT_MS`.
        heartbeat: u64,
    },
}

impl Config {
    /// Checks the settings that only make sense together.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.ws_client_timeout_ms <= self.ws_heartbeat_ms {
            return Err(ConfigError::TimeoutNotAboveHeartbeat {
                timeout: self.ws_client_timeout_ms,
                heartbeat: self.ws_heartbeat_ms,
            });
        }
        Ok(())
    }

    /// The hub's timings.
    pub fn hub_settings(&self) -> crate::live::hub::HubSettings {
        crate::live::hub::HubSettings {
            grace: self.grace(),
            login_hold: Duration::from_millis(self.presence_login_hold_ms),
            stall_timeout: self.sockets.stall_timeout(),
        }
    }

    /// The presence grace period.
    pub fn grace(&self) -> Duration {
        Duration::from_millis(self.presence_grace_ms)
    }

    /// The interval between server pings.
    pub fn heartbeat(&self) -> Duration {
        Duration::from_millis(self.ws_heartbeat_ms)
    }

    /// How long a socket may stay silent.
    pub fn client_timeout(&self) -> Duration {
        Duration::from_millis(self.ws_client_timeout_ms)
    }
}
