//! The roster's rules, one sentence each.

use super::*;

fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

fn sid(name: &str) -> SessionId {
    SessionId::from_string(name)
}

fn member(name: &str, session: &str) -> Member<()> {
    on(name, session, Device::Desktop)
}

fn on(name: &str, session: &str, device: Device) -> Member<()> {
    Member {
        user: user(name),
        session: sid(session),
        device,
        active: true,
        handle: (),
    }
}

fn came_online(name: &str, devices: Devices) -> Option<Change> {
    Some(Change {
        user: user(name),
        attendance: Some(Attendance {
            active: true,
            devices,
        }),
    })
}

fn attends(active: bool, devices: Devices) -> Option<Attendance> {
    Some(Attendance { active, devices })
}

const DESKTOP: Devices = Devices::from_bits_const(1);
const BOTH: Devices = Devices::from_bits_const(3);

#[test]
fn the_first_socket_brings_a_user_online_and_the_second_does_not() {
    let mut roster = Roster::default();
    assert_eq!(
        roster.join(ConnId(1), member("ann", "s1")),
        came_online("ann", DESKTOP)
    );
    assert_eq!(roster.join(ConnId(2), member("ann", "s1")), None);
}

#[test]
fn a_socket_on_another_kind_of_device_changes_the_attendance() {
    let mut roster = Roster::default();
    roster.join(ConnId(1), member("ann", "s1"));
    let change = roster.join(ConnId(2), on("ann", "s2", Device::Mobile));
    assert_eq!(change.unwrap().attendance, attends(true, BOTH));
}

#[test]
fn leaving_keeps_the_user_online_as_they_were_until_the_hold_is_released() {
    let mut roster = Roster::default();
    roster.join(ConnId(1), member("ann", "s1"));
    let (_, change) = roster.leave(ConnId(1)).unwrap();
    assert_eq!(change, None);
    assert_eq!(roster.attendance(&user("ann")), attends(true, DESKTOP));
    let (change, hold) = roster.hold(&user("ann"), sid("s1"));
    assert_eq!(change, None);
    assert_eq!(
        roster.release(&user("ann"), &sid("s1"), hold),
        Some(Change::went_offline(user("ann")))
    );
    assert_eq!(roster.attendance(&user("ann")), None);
}

#[test]
fn a_user_is_away_only_when_every_socket_is_idle() {
    let mut roster = Roster::default();
    roster.join(ConnId(1), member("ann", "s1"));
    roster.join(ConnId(2), member("ann", "s1"));
    assert_eq!(roster.set_active(ConnId(1), false), None);
    let change = roster.set_active(ConnId(2), false).unwrap();
    assert_eq!(change.attendance, attends(false, DESKTOP));
    assert_eq!(roster.set_active(ConnId(2), false), None);
}

#[test]
fn activity_in_any_socket_brings_the_user_back_at_once() {
    let mut roster = Roster::default();
    roster.join(ConnId(1), member("ann", "s1"));
    roster.join(ConnId(2), member("ann", "s1"));
    roster.set_active(ConnId(1), false);
    roster.set_active(ConnId(2), false);
    let change = roster.set_active(ConnId(1), true).unwrap();
    assert_eq!(change.attendance, attends(true, DESKTOP));
}

#[test]
fn closing_the_last_active_socket_beside_an_idle_one_makes_the_user_away() {
    let mut roster = Roster::default();
    roster.join(ConnId(1), member("ann", "s1"));
    roster.join(ConnId(2), member("ann", "s1"));
    roster.set_active(ConnId(2), false);
    let (_, change) = roster.leave(ConnId(1)).unwrap();
    assert_eq!(change.unwrap().attendance, attends(false, DESKTOP));
}

#[test]
fn a_socket_joining_during_a_hold_makes_its_timer_harmless() {
    let mut roster = Roster::default();
    let (change, hold) = roster.hold(&user("ann"), sid("s1"));
    assert_eq!(change, came_online("ann", Devices::NONE));
    assert_eq!(
        roster.join(ConnId(1), member("ann", "s1")),
        came_online("ann", DESKTOP)
    );
    assert_eq!(roster.release(&user("ann"), &sid("s1"), hold), None);
    assert!(roster.attendance(&user("ann")).is_some());
}

#[test]
fn a_replaced_hold_is_not_released_by_its_old_timer() {
    let mut roster = Roster::<()>::default();
    let (_, first) = roster.hold(&user("ann"), sid("s1"));
    let (_, second) = roster.hold(&user("ann"), sid("s1"));
    assert_eq!(roster.release(&user("ann"), &sid("s1"), first), None);
    assert!(roster.release(&user("ann"), &sid("s1"), second).is_some());
}

#[test]
fn logging_out_closes_only_that_sessions_sockets() {
    let mut roster = Roster::default();
    roster.join(ConnId(1), member("ann", "s1"));
    roster.join(ConnId(2), member("ann", "s2"));
    roster.join(ConnId(3), member("bob", "s3"));
    let (closed, change) = roster.log_out(&user("ann"), &sid("s1"));
    assert_eq!(closed.len(), 1);
    assert_eq!(change, None);
    assert!(roster.member(ConnId(2)).is_some() && roster.member(ConnId(3)).is_some());
    let (closed, change) = roster.log_out(&user("ann"), &sid("s2"));
    assert_eq!(closed.len(), 1);
    assert_eq!(change, Some(Change::went_offline(user("ann"))));
}

#[test]
fn logging_out_of_the_only_active_login_leaves_the_user_away() {
    let mut roster = Roster::default();
    roster.join(ConnId(1), member("ann", "s1"));
    roster.join(ConnId(2), member("ann", "s2"));
    roster.set_active(ConnId(2), false);
    let (_, change) = roster.log_out(&user("ann"), &sid("s1"));
    assert_eq!(change.unwrap().attendance, attends(false, DESKTOP));
}

#[test]
fn logging_out_with_no_socket_drops_the_login_hold_at_once() {
    let mut roster = Roster::<()>::default();
    roster.hold(&user("ann"), sid("s1"));
    let (closed, change) = roster.log_out(&user("ann"), &sid("s1"));
    assert!(closed.is_empty());
    assert_eq!(change, Some(Change::went_offline(user("ann"))));
}

#[test]
fn leaving_twice_is_harmless() {
    let mut roster = Roster::default();
    roster.join(ConnId(1), member("ann", "s1"));
    assert!(roster.leave(ConnId(1)).is_some());
    assert!(roster.leave(ConnId(1)).is_none());
}
