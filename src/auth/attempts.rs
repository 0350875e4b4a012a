//! What logins and sign-ups count against the rate limits.
//!
//! A login reserves two attempts before bcrypt runs: one against its
//! username from its address (`LOGIN_FAILURE_LIMIT`) and one against its
//! address whatever the username (`LOGIN_ADDRESS_FAILURE_LIMIT`). A failure
//! keeps both; a success clears the first and gives the second back, so
//! only failures use up the budgets; an attempt that was never judged (the
//! server was too busy, or the database did not answer) gives both back.
//! A sign-up reserves one attempt against its address (`SIGNUP_LIMIT`).

use std::time::Duration;

use crate::{
    auth::Username,
    config::Config,
    throttle::{AddressBucket, Limit, Throttle, ThrottleKey, Verdict},
};

/// The limits of the account routes.
#[derive(Clone, Copy, Debug)]
pub struct AttemptLimits {
    /// Failed logins per username and address.
    pub login_per_name: Limit,
    /// Failed logins per address, across usernames.
    pub login_per_address: Limit,
    /// Sign-up attempts per address.
    pub sign_up: Limit,
}

impl AttemptLimits {
    /// The limits `config` sets.
    pub fn from_config(config: &Config) -> Self {
        Self {
            login_per_name: Limit::new(
                config.login_failure_limit,
                config.login_failure_window_secs,
            ),
            login_per_address: Limit::new(
                config.login_address_failure_limit,
                config.login_address_failure_window_secs,
            ),
            sign_up: Limit::new(config.signup_limit, config.signup_window_secs),
        }
    }
}

/// The attempts a request holds until it knows how it went.
#[must_use = "an attempt is settled by succeeded(), keep() or give_back()"]
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    /// Every count taken.
    reserved: Vec<ThrottleKey>,
    /// Cleared on success.
    clear_on_success: Option<ThrottleKey>,
    /// Given back on success.
    refund_on_success: Option<ThrottleKey>,
}

impl Attempt<'_> {
    /// The login succeeded: its name's count is cleared and its address's
    /// attempt given back.
    pub async fn succeeded(self) {
        if let Some(key) = &self.clear_on_success {
            self.throttle.clear(key).await;
        }
        if let Some(key) = &self.refund_on_success {
            self.throttle.refund(key).await;
        }
    }

    /// The attempt counts as made (a failed login, or any sign-up).
    pub fn keep(self) {}

    /// The attempt was never judged: every count is given back.
    pub async fn give_back(self) {
        for key in &self.reserved {
            self.throttle.refund(key).await;
        }
    }
}

/// Reserves a login of `username` from `from`, or says how long to wait.
pub async fn reserve_login<'a>(
    throttle: &'a Throttle,
    limits: &AttemptLimits,
    username: &Username,
    from: AddressBucket,
) -> Result<Attempt<'a>, Duration> {
    let name = ThrottleKey::login(username, from);
    if let Verdict::Blocked { retry_after } = throttle.reserve(&name, limits.login_per_name).await {
        return Err(retry_after);
    }
    let address = ThrottleKey::login_address(from);
    let limit = limits.login_per_address;
    if let Verdict::Blocked { retry_after } = throttle.reserve(&address, limit).await {
        throttle.refund(&name).await;
        return Err(retry_after);
    }
    let counted = |limit: Limit, key: &ThrottleKey| (!limit.is_off()).then(|| key.clone());
    Ok(Attempt {
        throttle,
        reserved: [
            counted(limits.login_per_name, &name),
            counted(limit, &address),
        ]
        .into_iter()
        .flatten()
        .collect(),
        clear_on_success: Some(name),
        refund_on_success: counted(limit, &address),
    })
}

/// Reserves a sign-up from `from`, or says how long to wait. Sign-ups that
/// go through keep their count: the limit is on attempts, not failures.
pub async fn reserve_sign_up<'a>(
    throttle: &'a Throttle,
    limits: &AttemptLimits,
    from: AddressBucket,
) -> Result<Attempt<'a>, Duration> {
    let key = ThrottleKey::sign_up(from);
    match throttle.reserve(&key, limits.sign_up).await {
        Verdict::Blocked { retry_after } => Err(retry_after),
        Verdict::Allowed => Ok(Attempt {
            throttle,
            reserved: (!limits.sign_up.is_off())
                .then_some(key)
                .into_iter()
                .collect(),
            clear_on_success: None,
            refund_on_success: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_name: u32, per_address: u32) -> AttemptLimits {
        AttemptLimits {
            login_per_name: Limit::new(per_name, 300),
            login_per_address: Limit::new(per_address, 300),
            sign_up: Limit::new(2, 3600),
        }
    }

    fn name(text: &str) -> Username {
        Username::parse(text).unwrap()
    }

    const HOME: AddressBucket = AddressBucket::UNKNOWN;

    #[actix_web::test]
    async fn failures_of_many_names_use_up_the_address_budget() {
        let throttle = Throttle::in_memory();
        let limits = limits(5, 3);
        for who in ["a", "b", "c"] {
            let attempt = reserve_login(&throttle, &limits, &name(who), HOME).await;
            attempt.expect("under the budget").keep();
        }
        assert!(
            reserve_login(&throttle, &limits, &name("d"), HOME)
                .await
                .is_err()
        );
        // The refused attempt took nothing from d's own count.
        assert_eq!(throttle.len(), 4);
    }

    #[actix_web::test]
    async fn a_success_clears_its_name_and_gives_the_address_attempt_back() {
        let throttle = Throttle::in_memory();
        let limits = limits(5, 1);
        let attempt = reserve_login(&throttle, &limits, &name("a"), HOME).await;
        attempt.expect("first").succeeded().await;
        assert!(throttle.is_empty());
        let attempt = reserve_login(&throttle, &limits, &name("b"), HOME).await;
        attempt
            .expect("the budget is whole again")
            .give_back()
            .await;
        assert!(throttle.is_empty());
    }

    #[actix_web::test]
    async fn sign_ups_keep_their_count_unless_given_back() {
        let throttle = Throttle::in_memory();
        let limits = limits(5, 5);
        let first = reserve_sign_up(&throttle, &limits, HOME).await.unwrap();
        first.give_back().await;
        reserve_sign_up(&throttle, &limits, HOME)
            .await
            .unwrap()
            .keep();
        reserve_sign_up(&throttle, &limits, HOME)
            .await
            .unwrap()
            .keep();
        assert!(reserve_sign_up(&throttle, &limits, HOME).await.is_err());
    }
}
