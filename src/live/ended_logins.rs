//! [`EndedLogins`]: logins that ended lately, so a socket opened under one
//! cannot join after its logout.
//!
//! An upgrade checks the login, then the session actor starts and asks the
//! hub to [`Connect`](crate::live::hub::Connect). A logout handled in
//! between would leave that socket open, under a login that no longer
//! exists. The hub remembers each ended login for a little longer than an
//! upgrade can take, and turns such sockets away. The memory is bounded in
//! size and in time.

use std::{
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

use crate::auth::SessionId;

/// How long an ended login is remembered: far longer than an upgrade takes.
pub const REMEMBER_FOR: Duration = Duration::from_secs(60);
/// How many ended logins are remembered at most.
pub const CAPACITY: usize = 10_000;

/// Recently ended logins, oldest first.
#[derive(Default)]
pub struct EndedLogins {
    ended: HashMap<SessionId, Instant>,
    order: VecDeque<(Instant, SessionId)>,
}

impl EndedLogins {
    /// Remembers that `session` ended at `now`.
    pub fn record(&mut self, session: SessionId, now: Instant) {
        self.forget_old(now);
        while self.ended.len() >= CAPACITY
            && let Some((at, oldest)) = self.order.pop_front()
        {
            if self.ended.get(&oldest) == Some(&at) {
                self.ended.remove(&oldest);
            }
        }
        self.ended.insert(session.clone(), now);
        self.order.push_back((now, session));
    }

    /// Whether `session` ended lately, as of `now`.
    pub fn contains(&mut self, session: &SessionId, now: Instant) -> bool {
        self.forget_old(now);
        self.ended.contains_key(session)
    }

    fn forget_old(&mut self, now: Instant) {
        while let Some((at, _)) = self.order.front()
            && now.saturating_duration_since(*at) > REMEMBER_FOR
        {
            if let Some((at, session)) = self.order.pop_front()
                && self.ended.get(&session) == Some(&at)
            {
                self.ended.remove(&session);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sid(name: &str) -> SessionId {
        SessionId::from_string(name)
    }

    #[test]
    fn an_ended_login_is_remembered_for_a_minute_and_then_forgotten() {
        let mut ended = EndedLogins::default();
        let now = Instant::now();
        ended.record(sid("a"), now);
        assert!(ended.contains(&sid("a"), now + Duration::from_secs(59)));
        assert!(!ended.contains(&sid("b"), now));
        assert!(!ended.contains(&sid("a"), now + REMEMBER_FOR + Duration::from_secs(1)));
        assert!(ended.order.is_empty());
    }

    #[test]
    fn the_memory_never_holds_more_than_its_capacity() {
        let mut ended = EndedLogins::default();
        let now = Instant::now();
        for i in 0..CAPACITY + 10 {
            ended.record(sid(&format!("s{i}")), now);
        }
        assert_eq!(ended.ended.len(), CAPACITY);
        assert!(!ended.contains(&sid("s0"), now));
        assert!(ended.contains(&sid(&format!("s{}", CAPACITY + 9)), now));
    }

    #[test]
    fn a_login_ended_twice_is_remembered_from_its_last_end() {
        let mut ended = EndedLogins::default();
        let now = Instant::now();
        ended.record(sid("a"), now);
        ended.record(sid("a"), now + Duration::from_secs(50));
        assert!(ended.contains(&sid("a"), now + Duration::from_secs(70)));
    }
}
