//! [`Admission`]: who may open another WebSocket.
//!
//! Three caps, checked at the upgrade, before the handshake, so a refused
//! client gets a plain 429 and costs the hub nothing:
//!
//! - upgrades per client address per second (checked first, before the
//!   session is even loaded);
//! - sockets per login, and per user across their logins.
//!
//! An admitted socket holds a [`Permit`] for its whole life; dropping the
//! permit (the session actor ending, however it ends) gives the place
//! back. The table of open sockets holds only users with a socket open, so
//! it is as bounded as the sockets themselves.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use crate::{
    auth::{SessionId, Username},
    config::SocketLimits,
    metrics::SOCKETS_REFUSED,
    throttle::{AddressBucket, Limit, Throttle, ThrottleKey, Verdict},
};

/// Why an upgrade was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// This address opened too many sockets in the last second.
    #[error("too many WebSocket upgrades from this address")]
    TooFast {
        /// When the address may try again.
        retry_after: Duration,
    },
    /// This login holds its cap of sockets.
    #[error("this login has too many sockets open")]
    LoginFull,
    /// This user holds their cap of sockets.
    #[error("this user has too many sockets open")]
    UserFull,
}

impl Refusal {
    /// The `reason` label of the refusal metric.
    fn label(self) -> &'static str {
        match self {
            Self::TooFast { .. } => "rate",
            Self::LoginFull => "login",
            Self::UserFull => "user",
        }
    }
}

/// Sockets open per user, and per login of that user.
#[derive(Default)]
struct UserSockets {
    total: u32,
    per_login: HashMap<SessionId, u32>,
}

/// The caps and the count of open sockets, shared by every worker.
#[derive(Clone)]
pub struct Admission {
    per_login: u32,
    per_user: u32,
    upgrades: Limit,
    rate: Throttle,
    open: Arc<Mutex<HashMap<Username, UserSockets>>>,
}

impl Admission {
    /// Admission under `limits`.
    pub fn new(limits: &SocketLimits) -> Self {
        Self {
            per_login: limits.ws_max_sockets_per_login,
            per_user: limits.ws_max_sockets_per_user,
            upgrades: Limit {
                max: limits.ws_upgrades_per_address_per_sec,
                window: Duration::from_secs(1),
            },
            // Per node, in memory even in a cluster: the limit protects
            // this process, and an upgrade must not wait for Redis.
            rate: Throttle::in_memory(),
            open: Arc::default(),
        }
    }

    /// Counts an upgrade from `from` against the per-address rate.
    pub async fn check_rate(&self, from: AddressBucket) -> Result<(), Refusal> {
        match self
            .rate
            .reserve(&ThrottleKey::upgrade(from), self.upgrades)
            .await
        {
            Verdict::Allowed => Ok(()),
            Verdict::Blocked { retry_after } => Err(refused(Refusal::TooFast { retry_after })),
        }
    }

    /// Takes a place for one more socket of `user` under `session`.
    pub fn admit(&self, user: &Username, session: &SessionId) -> Result<Permit, Refusal> {
        let mut open = self.table();
        let sockets = open.entry(user.clone()).or_default();
        let of_login = sockets.per_login.get(session).copied().unwrap_or(0);
        if self.per_user != 0 && sockets.total >= self.per_user {
            return Err(refused(Refusal::UserFull));
        }
        if self.per_login != 0 && of_login >= self.per_login {
            return Err(refused(Refusal::LoginFull));
        }
        sockets.total += 1;
        sockets.per_login.insert(session.clone(), of_login + 1);
        Ok(Permit {
            admission: self.clone(),
            user: user.clone(),
            session: session.clone(),
        })
    }

    fn release(&self, user: &Username, session: &SessionId) {
        let mut open = self.table();
        let Some(sockets) = open.get_mut(user) else {
            return;
        };
        sockets.total = sockets.total.saturating_sub(1);
        if let Some(count) = sockets.per_login.get_mut(session) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                sockets.per_login.remove(session);
            }
        }
        if sockets.total == 0 {
            open.remove(user);
        }
    }

    fn table(&self) -> MutexGuard<'_, HashMap<Username, UserSockets>> {
        // The table stays consistent even if a holder panicked: every
        // change is one step under the lock.
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn refused(refusal: Refusal) -> Refusal {
    metrics::counter!(SOCKETS_REFUSED, "reason" => refusal.label()).increment(1);
    refusal
}

/// One socket's place; dropping it gives the place back.
pub struct Permit {
    admission: Admission,
    user: Username,
    session: SessionId,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.admission.release(&self.user, &self.session);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission(per_login: u32, per_user: u32) -> Admission {
        Admission::new(&SocketLimits {
            ws_max_sockets_per_login: per_login,
            ws_max_sockets_per_user: per_user,
            ..SocketLimits::default()
        })
    }

    fn ann() -> Username {
        Username::parse("ann").unwrap()
    }

    #[test]
    fn a_login_over_its_cap_is_refused_and_another_login_is_not() {
        let admission = admission(2, 10);
        let (one, two) = (SessionId::from_string("one"), SessionId::from_string("two"));
        let _a = admission.admit(&ann(), &one).unwrap();
        let _b = admission.admit(&ann(), &one).unwrap();
        assert!(matches!(
            admission.admit(&ann(), &one),
            Err(Refusal::LoginFull)
        ));
        assert!(admission.admit(&ann(), &two).is_ok());
    }

    #[test]
    fn a_user_over_their_cap_is_refused_across_logins() {
        let admission = admission(10, 2);
        let _a = admission
            .admit(&ann(), &SessionId::from_string("one"))
            .unwrap();
        let _b = admission
            .admit(&ann(), &SessionId::from_string("two"))
            .unwrap();
        let third = admission.admit(&ann(), &SessionId::from_string("three"));
        assert!(matches!(third, Err(Refusal::UserFull)));
    }

    #[test]
    fn a_dropped_permit_gives_its_place_back_and_empty_users_are_forgotten() {
        let admission = admission(1, 1);
        let session = SessionId::from_string("one");
        let permit = admission.admit(&ann(), &session).unwrap();
        assert!(admission.admit(&ann(), &session).is_err());
        drop(permit);
        assert!(admission.table().is_empty());
        assert!(admission.admit(&ann(), &session).is_ok());
    }

    #[test]
    fn a_cap_of_zero_is_no_cap() {
        let admission = admission(0, 0);
        let session = SessionId::from_string("one");
        let permits: Vec<_> = (0..500)
            .map(|_| admission.admit(&ann(), &session).unwrap())
            .collect();
        assert_eq!(permits.len(), 500);
    }

    #[actix_web::test]
    async fn an_address_over_its_rate_is_refused_and_others_are_not() {
        let admission = Admission::new(&SocketLimits {
            ws_upgrades_per_address_per_sec: 3,
            ..SocketLimits::default()
        });
        let here = AddressBucket::of("10.0.0.1".parse().ok());
        for _ in 0..3 {
            assert!(admission.check_rate(here).await.is_ok());
        }
        assert!(matches!(
            admission.check_rate(here).await,
            Err(Refusal::TooFast { .. })
        ));
        let there = AddressBucket::of("10.0.0.2".parse().ok());
        assert!(admission.check_rate(there).await.is_ok());
    }
}
