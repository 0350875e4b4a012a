//! The WebSocket limits: how many sockets one login and one user may hold,
//! how fast one address may open them, and how long a socket may make no
//! progress before it is cut.

use std::time::Duration;

/// Sockets one login may hold: a person with many tabs never meets it; a
/// script opening hundreds under one cookie does.
pub const DEFAULT_MAX_SOCKETS_PER_LOGIN: u32 = 100;
/// Sockets one user may hold across all their logins and devices.
pub const DEFAULT_MAX_SOCKETS_PER_USER: u32 = 300;
/// Upgrades one client address (IPv6: one /64) may make per second.
pub const DEFAULT_UPGRADES_PER_ADDRESS_PER_SEC: u32 = 50;
/// How long a socket's output may make no progress before it is cut:
/// several heartbeats, so only a client that stopped reading meets it.
pub const DEFAULT_STALL_TIMEOUT_MS: u64 = 30_000;

/// The WebSocket limits; a limit of 0 is off.
#[derive(clap::Args, Clone, Debug)]
pub struct SocketLimits {
    /// Sockets one login may hold at once; more get 429 (0 = no limit).
    #[arg(long, env = "WS_MAX_SOCKETS_PER_LOGIN", default_value_t = DEFAULT_MAX_SOCKETS_PER_LOGIN)]
    pub ws_max_sockets_per_login: u32,

    /// Sockets one user may hold at once, across logins; more get 429
    /// (0 = no limit).
    #[arg(long, env = "WS_MAX_SOCKETS_PER_USER", default_value_t = DEFAULT_MAX_SOCKETS_PER_USER)]
    pub ws_max_sockets_per_user: u32,

    /// WebSocket upgrades one client address (IPv6: one /64) may make per
    /// second; more get 429 (0 = no limit).
    #[arg(long, env = "WS_UPGRADES_PER_ADDRESS_PER_SEC",
          default_value_t = DEFAULT_UPGRADES_PER_ADDRESS_PER_SEC)]
    pub ws_upgrades_per_address_per_sec: u32,

    /// Milliseconds a socket's output may make no progress (its client not
    /// reading) before its connection is cut.
    #[arg(long, env = "WS_STALL_TIMEOUT_MS", default_value_t = DEFAULT_STALL_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub ws_stall_timeout_ms: u64,
}

impl Default for SocketLimits {
    fn default() -> Self {
        Self {
            ws_max_sockets_per_login: DEFAULT_MAX_SOCKETS_PER_LOGIN,
            ws_max_sockets_per_user: DEFAULT_MAX_SOCKETS_PER_USER,
            ws_upgrades_per_address_per_sec: DEFAULT_UPGRADES_PER_ADDRESS_PER_SEC,
            ws_stall_timeout_ms: DEFAULT_STALL_TIMEOUT_MS,
        }
    }
}

impl SocketLimits {
    /// How long a socket may make no progress.
    pub fn stall_timeout(&self) -> Duration {
        Duration::from_millis(self.ws_stall_timeout_ms)
    }
}
