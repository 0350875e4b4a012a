//! bcrypt for the account routes, bounded.
//!
//! Every hash and check goes through a [`Hasher`], which runs it on a
//! hashing slot ([`slots`]) and keeps a bounded queue in front of the
//! slots: at most `BCRYPT_QUEUE_LIMIT` hashes may wait or run at once. When
//! the queue is full, the caller is told at once ([`HashError::Busy`], a
//! 503 with `Retry-After`) instead of waiting minutes behind an attacker's
//! burst.

pub mod slots;

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use self::slots::hash_slots;
use self::slots::on_hash_slot;
use crate::{
    auth::{Password, token},
    metrics::{PASSWORD_CHECKS, PASSWORD_QUEUE_REFUSALS},
};

/// Hashing or checking a password did not happen.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// bcrypt itself refused.
    #[error("bcrypt failed: {0}")]
    Bcrypt(#[from] bcrypt::BcryptError),
    /// The blocking pool dropped the job (the server is shutting down).
    #[error("the blocking pool did not run the hash")]
    Pool,
    /// The queue of hashes is full; try again shortly.
    #[error("the password hashing queue is full")]
    Busy,
}

/// bcrypt with the configured cost, behind a bounded queue, and with a
/// decoy hash to check when a username is unknown.
#[derive(Clone)]
pub struct Hasher {
    cost: u32,
    queue: Arc<Semaphore>,
    decoy: Arc<str>,
}

impl Hasher {
    /// A hasher at `cost` that admits at most `queue_limit` hashes at once
    /// (at least one). Computes the decoy on the blocking pool.
    pub async fn new(cost: u32, queue_limit: usize) -> Result<Self, HashError> {
        let secret = token::random(32);
        let decoy = on_hash_slot(None, move || bcrypt::hash(secret, cost)).await??;
        Ok(Self {
            cost,
            queue: Arc::new(Semaphore::new(queue_limit.max(1))),
            decoy: Arc::from(decoy),
        })
    }

    /// The cost of new hashes.
    pub fn cost(&self) -> u32 {
        self.cost
    }

    /// A place in the queue, or [`HashError::Busy`] when it is full.
    fn enter(&self) -> Result<OwnedSemaphorePermit, HashError> {
        self.queue.clone().try_acquire_owned().map_err(|_| {
            metrics::counter!(PASSWORD_QUEUE_REFUSALS).increment(1);
            HashError::Busy
        })
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let ticket = self.enter()?;
        let (plain, cost) = (password.expose().to_owned(), self.cost);
        Ok(on_hash_slot(Some(ticket), move || bcrypt::hash(plain, cost)).await??)
    }

    /// Checks `candidate` against a stored hash, or against the decoy when
    /// there is no account, so that both take the same time and the answer
    /// does not tell which usernames exist.
    pub async fn verify(&self, candidate: &str, stored: Option<&str>) -> Result<bool, HashError> {
        let ticket = self.enter()?;
        metrics::counter!(PASSWORD_CHECKS).increment(1);
        let candidate = candidate.to_owned();
        let stored = stored.map_or_else(|| self.decoy.to_string(), str::to_owned);
        let checked = on_hash_slot(Some(ticket), move || {
            // A password longer than bcrypt reads can never have been set.
            if candidate.len() > Password::MAX_BYTES {
                return Ok(false);
            }
            bcrypt::verify(candidate, &stored)
        });
        Ok(checked.await??)
    }

    /// A new hash of `candidate`, which has just verified against `stored`,
    /// when `stored` has another cost than the configured one (as Django
    /// upgrades hashes at login); `None` when it needs none.
    pub async fn rehash(&self, candidate: &str, stored: &str) -> Result<Option<String>, HashError> {
        if stored_cost(stored) == Some(self.cost) {
            return Ok(None);
        }
        let ticket = self.enter()?;
        let (plain, cost) = (candidate.to_owned(), self.cost);
        let hashed = on_hash_slot(Some(ticket), move || bcrypt::hash(plain, cost)).await??;
        Ok(Some(hashed))
    }
}

/// The cost of a bcrypt hash in the modular crypt format (`$2b$12$…`).
pub fn stored_cost(hash: &str) -> Option<u32> {
    let mut fields = hash.split('$');
    let (empty, _variant, cost) = (fields.next()?, fields.next()?, fields.next()?);
    if !empty.is_empty() {
        return None;
    }
    cost.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(text: &str) -> Password {
        Password::parse(text.to_owned(), "bob").unwrap()
    }

    #[actix_web::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let hasher = Hasher::new(4, 8).await.unwrap();
        let hashed = hasher.hash(&password("correct horse")).await.unwrap();
        assert!(hasher.verify("correct horse", Some(&hashed)).await.unwrap());
        assert!(!hasher.verify("correct horsf", Some(&hashed)).await.unwrap());
        assert!(
            !hasher
                .verify(&"x".repeat(100), Some(&hashed))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("correct horse", None).await.unwrap());
    }

    #[actix_web::test]
    async fn more_hashes_than_slots_all_complete() {
        let hasher = Hasher::new(4, 8).await.unwrap();
        let pw = password("correct horse");
        let jobs = (0..4).map(|_| hasher.hash(&pw));
        for hashed in futures_util::future::join_all(jobs).await {
            assert!(hashed.unwrap().starts_with("$2"));
        }
    }

    #[actix_web::test]
    async fn a_full_queue_refuses_at_once() {
        let hasher = Hasher::new(4, 1).await.unwrap();
        let held = hasher.enter().unwrap();
        assert!(matches!(
            hasher.verify("correct horse", None).await,
            Err(HashError::Busy)
        ));
        drop(held);
        assert!(hasher.verify("correct horse", None).await.is_ok());
    }

    #[actix_web::test]
    async fn only_a_hash_of_another_cost_is_rehashed() {
        let hasher = Hasher::new(5, 8).await.unwrap();
        let cheap = bcrypt::hash("correct horse", 4).unwrap();
        let fresh = hasher.rehash("correct horse", &cheap).await.unwrap();
        let fresh = fresh.expect("a new hash");
        assert_eq!(stored_cost(&fresh), Some(5));
        assert!(bcrypt::verify("correct horse", &fresh).unwrap());
        assert_eq!(hasher.rehash("correct horse", &fresh).await.unwrap(), None);
    }

    #[test]
    fn the_cost_is_read_from_the_hash() {
        assert_eq!(stored_cost("$2b$12$abcdefghijklmnopqrstuv"), Some(12));
        assert_eq!(stored_cost("$2y$04$x"), Some(4));
        assert_eq!(stored_cost("plain"), None);
        assert_eq!(stored_cost("x$2b$12$"), None);
    }
}
