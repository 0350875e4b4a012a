//! [`Profiles`]: what users chose, for the users a node may have to show.
//!
//! A profile arrives just before the attendance it goes with (the hub
//! spreads a user's profile before their first connection's change), and
//! is forgotten when the user goes offline. Profiles whose user never
//! shows up are evicted, oldest first, beyond [`CAPACITY`].

use std::collections::{HashMap, VecDeque};

use crate::{auth::Username, live::status::Profile};

/// How many profiles are kept at most: far more than the users online at
/// once on any node that has room for their sockets.
pub const CAPACITY: usize = 1 << 20;

/// Profiles by user, bounded.
#[derive(Default)]
pub struct Profiles {
    by_user: HashMap<Username, Profile>,
    /// Users in the order their profile was first set, for eviction.
    order: VecDeque<Username>,
}

impl Profiles {
    /// What `user` chose; the default (auto, no custom status) when
    /// nothing is known.
    pub fn get(&self, user: &Username) -> Profile {
        self.by_user.get(user).cloned().unwrap_or_default()
    }

    /// Records what `user` chose.
    pub fn set(&mut self, user: Username, profile: Profile) {
        if !profile.is_chosen() {
            // The default needs no entry.
            self.by_user.remove(&user);
            return;
        }
        if self.by_user.insert(user.clone(), profile).is_none() {
            self.order.push_back(user);
            while self.by_user.len() > CAPACITY {
                let Some(oldest) = self.order.pop_front() else {
                    break;
                };
                self.by_user.remove(&oldest);
            }
        }
        if self.order.len() > 2 * CAPACITY {
            // Forgotten users leave stale names behind; sweep them now
            // and then.
            let by_user = &self.by_user;
            self.order.retain(|user| by_user.contains_key(user));
        }
    }

    /// Forgets `user`'s profile.
    pub fn forget(&mut self, user: &Username) {
        self.by_user.remove(user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::status::Manual;

    fn dnd() -> Profile {
        Profile {
            manual: Manual::Dnd,
            custom: None,
        }
    }

    #[test]
    fn an_unknown_user_has_the_default_profile() {
        let profiles = Profiles::default();
        assert_eq!(
            profiles.get(&Username::parse("ann").unwrap()),
            Profile::default()
        );
    }

    #[test]
    fn a_profile_is_kept_until_forgotten() {
        let mut profiles = Profiles::default();
        let ann = Username::parse("ann").unwrap();
        profiles.set(ann.clone(), dnd());
        assert_eq!(profiles.get(&ann), dnd());
        profiles.forget(&ann);
        assert_eq!(profiles.get(&ann), Profile::default());
    }

    #[test]
    fn setting_the_default_profile_takes_no_room() {
        let mut profiles = Profiles::default();
        let ann = Username::parse("ann").unwrap();
        profiles.set(ann.clone(), dnd());
        profiles.set(ann.clone(), Profile::default());
        assert!(profiles.by_user.is_empty());
    }
}
