//! The rules of rich presence, one sentence each.

use super::*;

const ACTIVE_ON_DESKTOP: Attendance = Attendance {
    active: true,
    devices: Devices::from_bits_const(1),
};
const IDLE_ON_PHONE: Attendance = Attendance {
    active: false,
    devices: Devices::from_bits_const(2),
};

fn profile(manual: Manual) -> Profile {
    Profile {
        manual,
        custom: None,
    }
}

#[test]
fn a_connected_user_with_an_active_connection_is_online() {
    let presence = Presence::public(Some(ACTIVE_ON_DESKTOP), &Profile::default(), 0);
    assert_eq!(presence.status, Status::Online);
    assert_eq!(presence.devices.names(), ["desktop"]);
}

#[test]
fn a_connected_user_whose_every_connection_is_idle_is_away() {
    let presence = Presence::public(Some(IDLE_ON_PHONE), &Profile::default(), 0);
    assert_eq!(presence.status, Status::Away);
    assert!(presence.status.is_logged_in());
}

#[test]
fn do_not_disturb_wins_over_activity() {
    let dnd = profile(Manual::Dnd);
    assert_eq!(
        Presence::public(Some(ACTIVE_ON_DESKTOP), &dnd, 0).status,
        Status::Dnd
    );
    assert_eq!(
        Presence::public(Some(IDLE_ON_PHONE), &dnd, 0).status,
        Status::Dnd
    );
}

#[test]
fn an_invisible_user_is_offline_to_others_with_nothing_else_shown() {
    let invisible = Profile {
        manual: Manual::Invisible,
        custom: Some(CustomStatus {
            text: StatusText::parse("in a meeting").unwrap(),
            until: None,
        }),
    };
    let public = Presence::public(Some(ACTIVE_ON_DESKTOP), &invisible, 0);
    assert_eq!(public, Presence::OFFLINE);
    let own = Presence::seen_by_self(Some(ACTIVE_ON_DESKTOP), &invisible, 0);
    assert_eq!(own.status, Status::Invisible);
    assert!(!Status::Invisible.is_logged_in());
}

#[test]
fn a_user_who_is_not_connected_is_offline_whatever_they_chose() {
    for manual in [Manual::Auto, Manual::Dnd, Manual::Invisible] {
        assert_eq!(
            Presence::public(None, &profile(manual), 0),
            Presence::OFFLINE
        );
    }
}

#[test]
fn a_custom_status_shows_until_its_expiry_and_not_after() {
    let custom = Profile {
        manual: Manual::Auto,
        custom: Some(CustomStatus {
            text: StatusText::parse("lunch 🍜").unwrap(),
            until: Some(1_000),
        }),
    };
    let before = Presence::public(Some(ACTIVE_ON_DESKTOP), &custom, 999);
    assert_eq!(before.custom.unwrap().text.as_str(), "lunch 🍜");
    let after = Presence::public(Some(ACTIVE_ON_DESKTOP), &custom, 1_000);
    assert!(after.custom.is_none());
}

#[test]
fn a_custom_status_with_emoji_and_100_characters_is_accepted() {
    assert!(StatusText::parse(&"é".repeat(100)).is_ok());
    assert!(StatusText::parse("👩‍💻 shipping 🚢").is_ok());
    assert_eq!(StatusText::parse("  hi  ").unwrap().as_str(), "hi");
}

#[test]
fn a_custom_status_of_101_characters_is_rejected() {
    assert_eq!(
        StatusText::parse(&"a".repeat(101)),
        Err(StatusTextError::TooLong)
    );
    assert_eq!(
        StatusText::parse(&"a".repeat(100_000)),
        Err(StatusTextError::TooLong)
    );
}

#[test]
fn a_custom_status_with_control_characters_or_markup_is_rejected() {
    for bad in [
        "tab\there",
        "new\nline",
        "<b>bold</b>",
        "a > b",
        "\u{202E}evil",
    ] {
        assert_eq!(
            StatusText::parse(bad),
            Err(StatusTextError::Forbidden),
            "{bad:?}"
        );
    }
    assert_eq!(StatusText::parse("   "), Err(StatusTextError::Empty));
}

#[test]
fn phones_and_desktops_are_told_apart_by_their_user_agent() {
    let iphone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
    let linux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36";
    assert_eq!(Device::from_user_agent(iphone), Device::Mobile);
    assert_eq!(Device::from_user_agent(linux), Device::Desktop);
    assert_eq!(Device::from_user_agent(""), Device::Desktop);
}

#[test]
fn a_device_set_lists_its_kinds_in_a_fixed_order() {
    let both = Devices::of(Device::Mobile).union(Devices::of(Device::Desktop));
    assert_eq!(both.names(), ["desktop", "mobile"]);
    assert_eq!(Devices::from_bits(both.bits()), both);
    assert!(Devices::NONE.names().is_empty());
}

#[test]
fn the_manual_choices_parse_from_their_names_only() {
    for manual in [Manual::Auto, Manual::Dnd, Manual::Invisible] {
        assert_eq!(Manual::parse(manual.as_str()), Some(manual));
    }
    assert_eq!(Manual::parse("busy"), None);
    assert_eq!(Manual::parse("DND"), None);
}
