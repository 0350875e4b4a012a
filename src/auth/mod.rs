//! Accounts: sign-up, log-in and log-out over server-side sessions.
//!
//! The rules of usernames and passwords live in newtypes that parse
//! ([`Username::parse`], [`Password::parse`]), so a value of those types is
//! valid by construction. The routes follow the seed app's URLs and forms;
//! each one checks the session-bound CSRF token first.

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

pub use current_user::{CurrentUser, MaybeUser, SessionId};
pub use password::Password;
pub use username::Username;

use crate::throttle::{Limit, Throttle};

/// The settings the account routes need, shared through `web::Data`.
#[derive(Clone)]
pub struct AuthSettings {
    /// The bcrypt cost of new hashes.
    pub bcrypt_cost: u32,
    /// Failed logins allowed per username and client address.
    pub login_limit: Limit,
    /// Sign-up attempts allowed per client address.
    pub signup_limit: Limit,
    /// Where the attempts are counted.
    pub throttle: Throttle,
    /// A hash of a random password at the same cost, checked when the
    /// username is unknown so that failures all take the same time.
    pub dummy_hash: String,
}

impl AuthSettings {
    /// Computes the dummy hash on the blocking pool.
    pub async fn new(
        bcrypt_cost: u32,
        login_limit: Limit,
        signup_limit: Limit,
        throttle: Throttle,
    ) -> Result<Self, password::HashError> {
        Ok(Self {
            bcrypt_cost,
            login_limit,
            signup_limit,
            throttle,
            dummy_hash: password::dummy_hash(bcrypt_cost).await?,
        })
    }
}
