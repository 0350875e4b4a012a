//! [`Announced`]: what this node's sockets have been told, as plain data.
//!
//! The hub decides changes of attendance in its
//! [`Roster`](crate::live::roster::Roster), but it announces them only
//! after they are written (and, in a cluster, after Redis has ordered
//! them). This type holds, for the whole cluster, who is connected and how
//! ([`Attendance`]), what each of them chose ([`Profile`]), and what the
//! sockets were shown ([`Presence`]). Each change of either becomes a frame
//! only when what others see changes: an invisible user coming and going,
//! or a bulletin repeating a known state, makes no frame at all.
//!
//! It also remembers when recently offline users were last seen, and
//! serializes the snapshot a new socket gets once per change rather than
//! once per socket.

use std::collections::{BTreeMap, HashMap};

use crate::{
    auth::Username,
    live::{
        change::Change,
        counts::Counts,
        protocol::{Frame, ServerFrame, UserStatus},
        status::{Attendance, Presence, Profile, Status},
    },
};

mod profiles;

use self::profiles::Profiles;

/// How many recently offline users the snapshot reports last-seen times
/// for; older ones are in the rendered page already.
pub const LAST_SEEN_CAPACITY: usize = 10_000;

/// Attendance, profiles and what was shown; see the module documentation.
#[derive(Default)]
pub struct Announced {
    /// Every connected user.
    present: HashMap<Username, Attendance>,
    /// What connected (or about to connect) users chose.
    profiles: Profiles,
    /// What everyone was shown of each user who is not offline.
    shown: BTreeMap<Username, Presence>,
    last_seen: HashMap<Username, i64>,
    snapshot: Option<Frame>,
    /// How many of `shown` are online, away and in do not disturb, kept as
    /// `shown` changes: the hub reads it ten times a second.
    counts: Counts,
    /// The earliest expiry of a shown custom status, if any.
    next_expiry: Option<i64>,
}

impl Announced {
    /// Records a change of attendance, and returns its frame if others
    /// see something new. `at` (Unix ms) is when an offline user was last
    /// seen; `now` decides whether custom statuses have expired.
    pub fn apply(&mut self, change: &Change, at: i64, now: i64) -> Option<Frame> {
        match change.attendance {
            Some(attendance) => self.present.insert(change.user.clone(), attendance),
            None => self.present.remove(&change.user),
        };
        let frame = self.show(&change.user, at, now);
        if change.attendance.is_none() {
            self.profiles.forget(&change.user);
        }
        frame
    }

    /// Records what `user` chose, and returns the frame if others see
    /// something new.
    pub fn set_profile(&mut self, user: &Username, profile: Profile, now: i64) -> Option<Frame> {
        self.profiles.set(user.clone(), profile);
        self.show(user, now, now)
    }

    /// What `user` chose, as far as this node knows.
    pub fn profile(&self, user: &Username) -> Profile {
        self.profiles.get(user)
    }

    /// How `user` attends, if they are connected.
    pub fn attendance(&self, user: &Username) -> Option<Attendance> {
        self.present.get(user).copied()
    }

    /// The frames of custom statuses that expired by `now`.
    pub fn expire(&mut self, now: i64) -> Vec<Frame> {
        if self.next_expiry.is_none_or(|next| now < next) {
            return Vec::new();
        }
        let due: Vec<Username> = self
            .shown
            .iter()
            .filter(|(_, shown)| shown.custom.as_ref().is_some_and(|c| !c.shows_at(now)))
            .map(|(user, _)| user.clone())
            .collect();
        let frames = due
            .iter()
            .filter_map(|user| self.show(user, now, now))
            .collect();
        self.next_expiry = self.earliest_expiry();
        frames
    }

    /// Makes the cluster's state `truth` (every connected user, with how
    /// they attend and what they chose), and returns the frames that tell
    /// the sockets the difference.
    pub fn reconcile(
        &mut self,
        truth: Vec<(Username, Attendance, Profile)>,
        at: i64,
        now: i64,
    ) -> Vec<Frame> {
        let mut truth: HashMap<Username, (Attendance, Profile)> = truth
            .into_iter()
            .map(|(user, attendance, profile)| (user, (attendance, profile)))
            .collect();
        let gone: Vec<Username> = self
            .present
            .keys()
            .filter(|user| !truth.contains_key(*user))
            .cloned()
            .collect();
        let mut frames: Vec<Frame> = gone
            .into_iter()
            .filter_map(|user| self.apply(&Change::went_offline(user), at, now))
            .collect();
        let mut users: Vec<Username> = truth.keys().cloned().collect();
        users.sort();
        for user in users {
            if let Some((attendance, profile)) = truth.remove(&user) {
                self.profiles.set(user.clone(), profile);
                let change = Change {
                    user,
                    attendance: Some(attendance),
                };
                frames.extend(self.apply(&change, at, now));
            }
        }
        frames
    }

    /// The snapshot frame a new socket gets first, serialized once per
    /// change of what is shown.
    pub fn snapshot(&mut self) -> Frame {
        let (shown, last_seen) = (&self.shown, &self.last_seen);
        self.snapshot
            .get_or_insert_with(|| {
                Frame::from(&ServerFrame::Snapshot {
                    watching: false,
                    online: shown.keys().map(ToString::to_string).collect(),
                    last_seen: last_seen
                        .iter()
                        .map(|(user, at)| (user.to_string(), *at))
                        .collect::<BTreeMap<_, _>>(),
                    users: shown
                        .iter()
                        .map(|(user, presence)| (user.to_string(), UserStatus::from(presence)))
                        .collect(),
                })
            })
            .clone()
    }

    /// The snapshot of a socket that watches from its first frame: it
    /// names nobody, so it costs the same with 100,000 users online as
    /// with none; the answers to the socket's `watch` say who is what.
    pub fn watching_snapshot() -> Frame {
        Frame::from(&ServerFrame::Snapshot {
            online: Vec::new(),
            last_seen: BTreeMap::new(),
            users: BTreeMap::new(),
            watching: true,
        })
    }

    /// The frame that tells `user`'s own sockets how they see themselves,
    /// when that differs from what everyone else is shown: only an
    /// invisible user sees something else (that they are invisible).
    pub fn self_frame(&self, user: &Username, now: i64) -> Option<Frame> {
        let profile = self.profiles.get(user);
        let own = Presence::seen_by_self(self.attendance(user), &profile, now);
        (own.status == Status::Invisible).then(|| presence_frame(user, &own, None))
    }

    /// How many users are shown as online, away and do not disturb.
    pub fn online_count(&self) -> usize {
        self.shown.len()
    }

    /// The `presence` frame of what everyone is shown of `user` now: for a
    /// socket that starts watching them.
    pub fn presence_of(&self, user: &Username) -> Frame {
        match self.shown.get(user) {
            Some(presence) => presence_frame(user, presence, None),
            None => presence_frame(user, &Presence::OFFLINE, self.last_seen.get(user).copied()),
        }
    }

    /// How many users are shown online, away and in do not disturb.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The users shown as not offline, sorted.
    pub fn online(&self) -> impl Iterator<Item = &Username> {
        self.shown.keys()
    }

    /// Forgets everything, as a node that stops serving does.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Recomputes what others see of `user`, and returns the frame if it
    /// changed.
    fn show(&mut self, user: &Username, at: i64, now: i64) -> Option<Frame> {
        let profile = self.profiles.get(user);
        let presence = Presence::public(self.attendance(user), &profile, now);
        let before = self.shown.get(user).unwrap_or(&Presence::OFFLINE);
        if *before == presence {
            return None;
        }
        self.counts.shift(before.status, presence.status);
        self.snapshot = None;
        let last_seen_at = if presence.status == Status::Offline {
            self.shown.remove(user);
            self.remember_last_seen(user.clone(), at);
            Some(at)
        } else {
            self.last_seen.remove(user);
            if let Some(until) = presence.custom.as_ref().and_then(|c| c.until) {
                self.next_expiry = Some(self.next_expiry.map_or(until, |next| next.min(until)));
            }
            self.shown.insert(user.clone(), presence.clone());
            None
        };
        Some(presence_frame(user, &presence, last_seen_at))
    }

    fn earliest_expiry(&self) -> Option<i64> {
        self.shown
            .values()
            .filter_map(|shown| shown.custom.as_ref()?.until)
            .min()
    }

    fn remember_last_seen(&mut self, user: Username, at: i64) {
        self.last_seen.insert(user, at);
        if self.last_seen.len() > LAST_SEEN_CAPACITY {
            // Keep the newer half; amortised over many inserts, this is cheap.
            let mut times: Vec<i64> = self.last_seen.values().copied().collect();
            let middle = times.len() / 2;
            let cutoff = *times.select_nth_unstable(middle).1;
            self.last_seen.retain(|_, seen| *seen >= cutoff);
        }
    }
}

/// The `presence` frame of `user` showing `presence`.
fn presence_frame(user: &Username, presence: &Presence, last_seen_at: Option<i64>) -> Frame {
    let status = UserStatus::from(presence);
    Frame::from(&ServerFrame::Presence {
        username: user.to_string(),
        is_logged_in: presence.status.is_logged_in(),
        status: status.status,
        custom: status.custom,
        devices: status.devices,
        last_seen_at,
    })
    .about(user)
}

#[cfg(test)]
mod tests;
