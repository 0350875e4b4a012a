//! Accounts: sign-up, log-in and log-out over server-side sessions.
//!
//! The rules of usernames and passwords live in newtypes that parse
//! ([`Username::parse`], [`Password::parse`]), so a value of those types is
//! valid by construction. The routes follow the seed app's URLs and forms;
//! each POST checks its CSRF token ([`csrf`]) first. Anonymous pages keep no
//! server-side state: a session starts at login.

pub mod attempts;
pub mod csrf;
pub mod current_user;
pub mod form;
pub mod hashing;
pub mod log_in;
pub mod log_out;
pub mod next;
pub mod password;
pub mod sign_up;
pub mod token;
pub mod username;

use actix_web::cookie::Key;

pub use current_user::{CurrentUser, MaybeUser, SessionId};
pub use password::Password;
pub use username::Username;

use crate::{config::Config, error::AppError, sessions::SessionBackend, throttle::Throttle};
use attempts::AttemptLimits;
use csrf::Csrf;
use hashing::Hasher;

/// What the account routes share, through `web::Data`.
#[derive(Clone)]
pub struct AuthSettings {
    /// The rate limits of logins and sign-ups.
    pub limits: AttemptLimits,
    /// Where the attempts are counted.
    pub throttle: Throttle,
    /// bcrypt, behind its bounded queue.
    pub hasher: Hasher,
    /// Signs and checks the CSRF cookie.
    pub csrf: Csrf,
    /// The session store, asked whether logins can be kept yet.
    sessions: SessionBackend,
}

impl AuthSettings {
    /// The settings of `config`, with cookies signed by `key`; computes the
    /// login decoy hash on the blocking pool.
    pub async fn new(
        config: &Config,
        throttle: Throttle,
        key: &Key,
        sessions: &SessionBackend,
    ) -> Result<Self, password::HashError> {
        Ok(Self {
            limits: AttemptLimits::from_config(config),
            throttle,
            hasher: Hasher::new(config.bcrypt_cost, config.bcrypt_queue_limit).await?,
            csrf: Csrf::new(key),
            sessions: sessions.clone(),
        })
    }

    /// A 503 while the session store cannot keep a login (a cluster node
    /// whose Redis session store has not connected yet): the forms are
    /// no use until then, and their 503 tells a load balancer so.
    pub fn sessions_ready(&self) -> Result<(), AppError> {
        if self.sessions.is_ready() {
            Ok(())
        } else {
            Err(AppError::Unavailable(anyhow::anyhow!(
                "the session store is not connected yet"
            )))
        }
    }
}
