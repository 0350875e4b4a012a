//! [`Share`]: one user as a node publishes them when it joins the cluster.
//!
//! A join republishes how each local user attends here and what they
//! chose: Redis may have lost both (it restarted empty), or dropped this
//! node's users while it was frozen. Republishing only the attendance
//! would bring users back as a plain "online", without their do not
//! disturb or custom status.

use super::bulletin::{self, Bulletin};
use crate::{
    auth::Username,
    live::status::{Attendance, Profile},
};

/// A user as the `SYNC` script takes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    /// Whose share.
    pub user: Username,
    /// How they attend on this node (see [`bulletin::code`]).
    pub code: u8,
    /// Their profile bulletin, as JSON.
    pub profile: String,
    /// Whether they chose anything: the default profile is not kept.
    pub chose: bool,
}

impl Share {
    /// `user`, attending as `attendance`, having chosen `profile`.
    pub fn new(
        user: Username,
        attendance: Attendance,
        profile: &Profile,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self {
            profile: serde_json::to_string(&Bulletin::profile(&user, profile))?,
            code: bulletin::code(attendance),
            chose: profile.is_chosen(),
            user,
        })
    }
}

/// The flag the scripts take for whether a profile is kept.
pub fn chose_flag(chose: bool) -> &'static str {
    if chose { "1" } else { "0" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::status::{CustomStatus, Devices, Manual, StatusText};

    fn desktop() -> Attendance {
        Attendance {
            active: true,
            devices: Devices::from_bits(1),
        }
    }

    #[test]
    fn a_share_carries_the_profile_bulletin_the_other_nodes_read() {
        let ann = Username::parse("ann").unwrap();
        let profile = Profile {
            manual: Manual::Dnd,
            custom: Some(CustomStatus {
                text: StatusText::parse("lunch").unwrap(),
                until: None,
            }),
        };
        let share = Share::new(ann.clone(), desktop(), &profile).unwrap();
        assert!(share.chose);
        assert_eq!(share.code, 5);
        let read: Bulletin = serde_json::from_str(&share.profile).unwrap();
        assert_eq!(read.read_profile(), Some((ann, profile)));
    }

    #[test]
    fn the_default_profile_is_published_but_not_kept() {
        let ann = Username::parse("ann").unwrap();
        let share = Share::new(ann, desktop(), &Profile::default()).unwrap();
        assert!(!share.chose);
        assert_eq!(chose_flag(share.chose), "0");
        let read: Bulletin = serde_json::from_str(&share.profile).unwrap();
        assert_eq!(
            read.read_profile().map(|(_, p)| p),
            Some(Profile::default())
        );
    }
}
