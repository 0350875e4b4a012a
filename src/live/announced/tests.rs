//! What the sockets are told, one rule each.

use super::*;
use crate::live::status::{CustomStatus, Devices, Manual, StatusText};

fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

fn attending(name: &str, active: bool) -> Change {
    Change {
        user: user(name),
        attendance: Some(Attendance {
            active,
            devices: Devices::from_bits(1),
        }),
    }
}

fn text(frame: Option<Frame>) -> Option<String> {
    frame.map(|frame| frame.as_str().to_owned())
}

fn manual(manual: Manual) -> Profile {
    Profile {
        manual,
        custom: None,
    }
}

#[test]
fn a_new_status_is_news_and_a_repeated_one_is_not() {
    let mut announced = Announced::default();
    let online = attending("ann", true);
    assert_eq!(
        text(announced.apply(&online, 5, 5)).as_deref(),
        Some(
            r#"{"type":"presence","username":"ann","is_logged_in":true,"status":"online","devices":["desktop"]}"#
        )
    );
    assert_eq!(announced.apply(&online, 6, 6), None);
}

#[test]
fn going_idle_is_a_status_change_with_the_same_seed_flag() {
    let mut announced = Announced::default();
    announced.apply(&attending("ann", true), 1, 1);
    let frame = text(announced.apply(&attending("ann", false), 2, 2)).unwrap();
    assert!(
        frame.contains(r#""is_logged_in":true,"status":"away""#),
        "{frame}"
    );
}

#[test]
fn going_offline_carries_and_remembers_the_last_seen_time() {
    let mut announced = Announced::default();
    announced.apply(&attending("ann", true), 1, 1);
    let frame = announced.apply(&Change::went_offline(user("ann")), 42, 42);
    assert_eq!(
        text(frame).as_deref(),
        Some(
            r#"{"type":"presence","username":"ann","is_logged_in":false,"status":"offline","last_seen_at":42}"#
        )
    );
    assert_eq!(
        announced.snapshot().as_str(),
        r#"{"type":"snapshot","online":[],"last_seen":{"ann":42}}"#
    );
}

#[test]
fn the_snapshot_lists_the_status_of_everyone_not_offline() {
    let mut announced = Announced::default();
    announced.apply(&attending("ann", false), 1, 1);
    assert_eq!(
        announced.snapshot().as_str(),
        r#"{"type":"snapshot","online":["ann"],"users":{"ann":{"status":"away","devices":["desktop"]}}}"#
    );
}

#[test]
fn the_snapshot_is_serialized_once_until_what_is_shown_changes() {
    let mut announced = Announced::default();
    let first = announced.snapshot();
    let again = announced.snapshot();
    assert_eq!(first.as_str().as_ptr(), again.as_str().as_ptr());
    announced.apply(&attending("ann", true), 1, 1);
    assert_ne!(announced.snapshot(), first);
}

#[test]
fn an_invisible_user_coming_and_going_makes_no_frame() {
    let mut announced = Announced::default();
    assert_eq!(
        announced.set_profile(&user("ann"), manual(Manual::Invisible), 1),
        None
    );
    assert_eq!(announced.apply(&attending("ann", true), 1, 1), None);
    assert_eq!(announced.apply(&attending("ann", false), 2, 2), None);
    assert_eq!(announced.online_count(), 0);
    assert!(!announced.snapshot().as_str().contains("ann"));
    // Only ann sees that she is invisible.
    let own = text(announced.self_frame(&user("ann"), 3)).unwrap();
    assert!(own.contains(r#""status":"invisible""#), "{own}");
    assert_eq!(
        announced.apply(&Change::went_offline(user("ann")), 3, 3),
        None
    );
}

#[test]
fn going_invisible_looks_like_going_offline_and_coming_back_like_coming_online() {
    let mut announced = Announced::default();
    announced.apply(&attending("ann", true), 1, 1);
    let gone = text(announced.set_profile(&user("ann"), manual(Manual::Invisible), 7)).unwrap();
    assert!(
        gone.contains(r#""status":"offline","last_seen_at":7"#),
        "{gone}"
    );
    let back = text(announced.set_profile(&user("ann"), manual(Manual::Auto), 9)).unwrap();
    assert!(back.contains(r#""status":"online""#), "{back}");
}

#[test]
fn a_user_who_is_not_invisible_has_no_frame_of_their_own() {
    let mut announced = Announced::default();
    announced.apply(&attending("ann", true), 1, 1);
    assert_eq!(announced.self_frame(&user("ann"), 1), None);
    announced.set_profile(&user("ann"), manual(Manual::Dnd), 2);
    assert_eq!(announced.self_frame(&user("ann"), 2), None);
}

#[test]
fn a_custom_status_expires_live() {
    let mut announced = Announced::default();
    announced.apply(&attending("ann", true), 1, 1);
    let custom = Profile {
        manual: Manual::Auto,
        custom: Some(CustomStatus {
            text: StatusText::parse("lunch").unwrap(),
            until: Some(100),
        }),
    };
    let set = text(announced.set_profile(&user("ann"), custom, 10)).unwrap();
    assert!(
        set.contains(r#""custom":{"text":"lunch","until":100}"#),
        "{set}"
    );
    assert!(announced.expire(99).is_empty());
    let expired = announced.expire(100);
    assert_eq!(expired.len(), 1);
    assert!(!expired[0].as_str().contains("custom"));
    assert!(announced.expire(200).is_empty());
}

#[test]
fn reconciling_announces_departures_and_only_the_difference() {
    let mut announced = Announced::default();
    announced.apply(&attending("ann", true), 1, 1);
    announced.apply(&attending("bob", true), 1, 1);
    let attendance = Attendance {
        active: true,
        devices: Devices::from_bits(1),
    };
    let truth = vec![
        (user("bob"), attendance, Profile::default()),
        (user("cid"), attendance, manual(Manual::Dnd)),
    ];
    let frames: Vec<String> = announced
        .reconcile(truth, 9, 9)
        .iter()
        .map(|frame| frame.as_str().to_owned())
        .collect();
    assert_eq!(frames.len(), 2);
    assert!(frames[0].contains(r#""username":"ann","is_logged_in":false"#));
    assert!(frames[1].contains(r#""username":"cid","is_logged_in":true,"status":"dnd""#));
    assert_eq!(announced.online_count(), 2);
}

#[test]
fn last_seen_times_are_bounded_and_the_newest_are_kept() {
    let mut announced = Announced::default();
    for i in 0..=LAST_SEEN_CAPACITY as i64 {
        let name = format!("u{i}");
        announced.apply(&attending(&name, true), i, i);
        announced.apply(&Change::went_offline(user(&name)), i, i);
    }
    assert!(announced.last_seen.len() <= LAST_SEEN_CAPACITY);
    let newest = user(&format!("u{LAST_SEEN_CAPACITY}"));
    assert!(announced.last_seen.contains_key(&newest));
}

#[test]
fn the_counts_follow_every_change_of_what_is_shown() {
    let mut announced = Announced::default();
    let counts = |online, away, dnd| Counts { online, away, dnd };
    announced.apply(&attending("ann", true), 1, 1);
    announced.apply(&attending("bob", true), 1, 1);
    assert_eq!(announced.counts(), counts(2, 0, 0));
    announced.apply(&attending("bob", false), 2, 2);
    assert_eq!(announced.counts(), counts(1, 1, 0));
    announced.set_profile(&user("ann"), manual(Manual::Dnd), 3);
    assert_eq!(announced.counts(), counts(0, 1, 1));
    announced.set_profile(&user("ann"), manual(Manual::Invisible), 4);
    announced.apply(&Change::went_offline(user("bob")), 5, 5);
    assert_eq!(announced.counts(), counts(0, 0, 0));
    announced.set_profile(&user("ann"), manual(Manual::Auto), 6);
    assert_eq!(announced.counts(), counts(1, 0, 0));
}
