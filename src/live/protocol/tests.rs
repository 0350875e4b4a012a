//! The wire format, frame by frame.

use super::*;
use crate::live::status::Manual;

fn presence(username: &str, is_logged_in: bool, status: &str, at: Option<i64>) -> ServerFrame {
    ServerFrame::Presence {
        username: username.into(),
        is_logged_in,
        status: status.into(),
        custom: None,
        devices: Vec::new(),
        last_seen_at: at,
    }
}

#[test]
fn a_presence_frame_keeps_the_seed_keys() {
    let frame = Frame::from(&presence("bob", true, "away", None));
    let value: serde_json::Value = serde_json::from_str(frame.as_str()).unwrap();
    assert_eq!(value["type"], "presence");
    assert_eq!(value["username"], "bob");
    assert_eq!(value["is_logged_in"], true);
    assert_eq!(value["status"], "away");
    assert!(value.get("last_seen_at").is_none());
}

#[test]
fn an_offline_presence_frame_says_when_the_user_was_last_seen() {
    let frame = Frame::from(&presence("bob", false, "offline", Some(42)));
    assert_eq!(
        frame.as_str(),
        r#"{"type":"presence","username":"bob","is_logged_in":false,"status":"offline","last_seen_at":42}"#
    );
}

#[test]
fn a_presence_frame_carries_the_custom_status_and_devices() {
    let frame = Frame::from(&ServerFrame::Presence {
        username: "bob".into(),
        is_logged_in: true,
        status: "dnd".into(),
        custom: Some(CustomWire {
            text: "🎧".into(),
            until: Some(9),
        }),
        devices: vec!["desktop".into(), "mobile".into()],
        last_seen_at: None,
    });
    assert_eq!(
        frame.as_str(),
        r#"{"type":"presence","username":"bob","is_logged_in":true,"status":"dnd","custom":{"text":"🎧","until":9},"devices":["desktop","mobile"]}"#
    );
}

#[test]
fn a_snapshot_frame_lists_the_online_users_and_their_statuses() {
    let frame = Frame::from(&ServerFrame::Snapshot {
        watching: false,
        online: vec!["alice".into()],
        last_seen: BTreeMap::from([("bob".into(), 7)]),
        users: BTreeMap::from([(
            "alice".into(),
            UserStatus {
                status: "away".into(),
                custom: None,
                devices: vec!["mobile".into()],
            },
        )]),
    });
    assert_eq!(
        frame.as_str(),
        r#"{"type":"snapshot","online":["alice"],"last_seen":{"bob":7},"users":{"alice":{"status":"away","devices":["mobile"]}}}"#
    );
}

#[test]
fn user_added_pong_and_error_have_their_types() {
    let added = Frame::from(&ServerFrame::UserAdded {
        username: "carol".into(),
    });
    assert_eq!(
        added.as_str(),
        r#"{"type":"user_added","username":"carol"}"#
    );
    assert_eq!(
        Frame::from(&ServerFrame::Pong).as_str(),
        r#"{"type":"pong"}"#
    );
    let error = Frame::from(&ServerFrame::Error {
        reason: Refused::BadStatus.to_string(),
    });
    assert!(error.as_str().starts_with(r#"{"type":"error","reason":"#));
}

#[test]
fn every_client_frame_is_understood() {
    let now = 1_000;
    assert_eq!(
        ClientFrame::read(r#"{"type":"ping"}"#, now),
        Ok(ClientFrame::Ping)
    );
    assert_eq!(
        ClientFrame::read(r#"{"type":"activity","state":"idle"}"#, now),
        Ok(ClientFrame::Activity { active: false })
    );
    assert_eq!(
        ClientFrame::read(r#"{"type":"set_status","status":"invisible"}"#, now),
        Ok(ClientFrame::SetStatus {
            manual: Manual::Invisible
        })
    );
    let set = ClientFrame::read(
        r#"{"type":"set_custom","text":" 🍜 lunch ","until":5000}"#,
        now,
    );
    let Ok(ClientFrame::SetCustom {
        custom: Some(custom),
    }) = set
    else {
        panic!("{set:?}");
    };
    assert_eq!(
        (custom.text.as_str(), custom.until),
        ("🍜 lunch", Some(5000))
    );
    for clear in [
        r#"{"type":"set_custom","text":null}"#,
        r#"{"type":"set_custom","text":"  "}"#,
        r#"{"type":"set_custom"}"#,
    ] {
        assert_eq!(
            ClientFrame::read(clear, now),
            Ok(ClientFrame::SetCustom { custom: None }),
            "{clear}"
        );
    }
}

#[test]
fn a_bad_client_frame_is_refused_with_its_reason() {
    let now = 1_000;
    for (text, why) in [
        (
            r#"{"type":"activity","state":"sleepy"}"#,
            Refused::BadActivity,
        ),
        (
            r#"{"type":"set_status","status":"busy"}"#,
            Refused::BadStatus,
        ),
        (
            r#"{"type":"set_custom","text":"<script>"}"#,
            Refused::BadText,
        ),
        (
            r#"{"type":"set_custom","text":"late","until":999}"#,
            Refused::BadExpiry,
        ),
        (
            r#"{"type":"set_custom","text":"forever","until":99999999999999}"#,
            Refused::BadExpiry,
        ),
        (
            r#"{"type":"presence","username":"bob","is_logged_in":false}"#,
            Refused::Unknown,
        ),
        (r#"{"type":"PING"}"#, Refused::Unknown),
        ("ping", Refused::Unknown),
        ("", Refused::Unknown),
        ("{", Refused::Unknown),
    ] {
        assert_eq!(ClientFrame::read(text, now), Err(why), "{text}");
    }
}

#[test]
fn a_refusal_never_repeats_the_input() {
    let text = format!(
        r#"{{"type":"set_custom","text":"{}"}}"#,
        "s3cr3t".repeat(40)
    );
    let why = ClientFrame::read(&text, 0).unwrap_err();
    assert!(!why.to_string().contains("s3cr3t"));
}

/// The JSON examples of the module documentation, one frame each.
fn documented_examples() -> Vec<String> {
    let mut examples: Vec<String> = Vec::new();
    let mut in_json = false;
    for line in include_str!("mod.rs").lines() {
        let Some(line) = line.strip_prefix("//!") else {
            continue;
        };
        let line = line.strip_prefix(' ').unwrap_or(line);
        // A conversation marks who speaks: → the client, ← the server.
        let line = line
            .strip_prefix("→ ")
            .or_else(|| line.strip_prefix("← "))
            .unwrap_or(line);
        match line {
            "```json" => in_json = true,
            "```" => in_json = false,
            // An example on several lines goes on indented.
            _ if in_json && line.starts_with(' ') => {
                if let Some(last) = examples.last_mut() {
                    last.push_str(line.trim());
                }
            }
            _ if in_json => examples.push(line.to_owned()),
            _ => {}
        }
    }
    examples
}

#[test]
fn every_documented_example_is_a_frame_the_server_writes_or_reads() {
    let reasons: Vec<String> = [
        Refused::Unknown,
        Refused::BadActivity,
        Refused::BadStatus,
        Refused::BadText,
        Refused::BadExpiry,
        Refused::BadWatch,
        Refused::BadWatchedName,
        Refused::TooManyWatched,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    let now = 1_763_683_000_000;
    let (mut server, mut client) = (0, 0);
    for example in documented_examples() {
        match serde_json::from_str::<ServerFrame>(&example) {
            Ok(ServerFrame::Error { reason }) => {
                assert!(reasons.contains(&reason), "{reason} is no refusal");
                server += 1;
            }
            Ok(_) => server += 1,
            Err(_) => {
                let read = ClientFrame::read(&example, now);
                assert!(read.is_ok(), "{example}: {read:?}");
                client += 1;
            }
        }
    }
    // Every server frame type and every client frame, with their variants.
    assert!(
        server >= 14 && client >= 9,
        "{server} server, {client} client"
    );
}
