//! Every client frame, good and bad, the frame budget, and who a frame
//! may change.

use std::time::Duration;

use presence::{
    db::now_millis,
    live::protocol::{Refused, ServerFrame},
};

use super::{PACE, QUIET, alice_and_bob, api_user, next_of, status_of};
use crate::support::spawn_app;

#[actix_web::test]
async fn every_bad_client_frame_gets_its_reason_back_and_changes_nothing() {
    let app = spawn_app().await;
    let (alice, mut watch, _bob, mut tab) = alice_and_bob(&app).await;
    let too_long = format!(r#"{{"type":"set_custom","text":"{}"}}"#, "a".repeat(101));
    let far = now_millis() + 2 * 366 * 24 * 3600 * 1000;
    let far = format!(r#"{{"type":"set_custom","text":"lunch","until":{far}}}"#);
    let bad = [
        ("not json", Refused::Unknown),
        (r#"{"type":"shout"}"#, Refused::Unknown),
        (r#"{"type":"activity"}"#, Refused::Unknown),
        (
            r#"{"type":"activity","state":"asleep"}"#,
            Refused::BadActivity,
        ),
        (
            r#"{"type":"set_status","status":"busy"}"#,
            Refused::BadStatus,
        ),
        (
            r#"{"type":"set_status","status":"offline"}"#,
            Refused::BadStatus,
        ),
        (
            r#"{"type":"set_custom","text":"<script>x</script>"}"#,
            Refused::BadText,
        ),
        (
            r#"{"type":"set_custom","text":"a\u0007b"}"#,
            Refused::BadText,
        ),
        (too_long.as_str(), Refused::BadText),
        (
            r#"{"type":"set_custom","text":"lunch","until":1}"#,
            Refused::BadExpiry,
        ),
        (far.as_str(), Refused::BadExpiry),
        (
            r#"{"type":"set_custom","text":"lunch","until":"soon"}"#,
            Refused::Unknown,
        ),
    ];
    for (frame, refused) in bad {
        tab.send_text(frame).await;
        let reason = tab.error_reason().await;
        assert_eq!(reason, refused.to_string(), "{frame}");
        assert!(!reason.contains("script"), "the reason repeats the input");
        tokio::time::sleep(PACE).await;
    }
    watch.assert_no_presence_of("bob", QUIET).await;
    let listed = api_user(&alice, "bob").await;
    assert_eq!(listed["status"], "online");
    assert!(listed.get("custom").is_none());
}

#[actix_web::test]
async fn every_good_client_frame_changes_its_users_status_for_everyone() {
    let app = spawn_app().await;
    let (alice, mut watch, _bob, mut tab) = alice_and_bob(&app).await;
    let until = now_millis() + 3_600_000;
    let custom = format!(r#"{{"type":"set_custom","text":"🍜 lunch","until":{until}}}"#);
    let steps = [
        (r#"{"type":"activity","state":"idle"}"#, "away", None),
        (r#"{"type":"activity","state":"active"}"#, "online", None),
        (r#"{"type":"set_status","status":"dnd"}"#, "dnd", None),
        (
            custom.as_str(),
            "dnd",
            Some(("🍜 lunch".to_owned(), Some(until))),
        ),
        (r#"{"type":"set_custom","text":null}"#, "dnd", None),
        (
            r#"{"type":"set_custom","text":"focus","until":null}"#,
            "dnd",
            Some(("focus".to_owned(), None)),
        ),
        (r#"{"type":"set_custom","text":"   "}"#, "dnd", None),
        (r#"{"type":"set_status","status":"auto"}"#, "online", None),
    ];
    for (frame, status, custom) in steps {
        tab.send_text(frame).await;
        let seen = next_of(&mut watch, "bob").await;
        assert_eq!(
            (seen.status.as_str(), seen.custom),
            (status, custom),
            "{frame}"
        );
        tokio::time::sleep(PACE).await;
    }
    tab.send_text(r#"{"type":"ping"}"#).await;
    loop {
        match tab.frame().await {
            ServerFrame::Pong => break,
            ServerFrame::Presence { .. } | ServerFrame::Snapshot { .. } => continue,
            other => panic!("expected a pong, got {other:?}"),
        }
    }
    assert_eq!(api_user(&alice, "bob").await["status"], "online");
}

#[actix_web::test]
async fn excess_frames_are_ignored_and_a_flood_closes_the_socket_with_1008() {
    let app = spawn_app().await;
    let (_alice, mut watch, _bob, mut tab) = alice_and_bob(&app).await;
    // Spend the burst at once; the status change after it is ignored.
    for _ in 0..30 {
        tab.send_text(r#"{"type":"ping"}"#).await;
    }
    tab.send_text(r#"{"type":"set_status","status":"dnd"}"#)
        .await;
    let mut pongs = 0;
    let quiet = tokio::time::Instant::now() + QUIET * 2;
    while let Ok(frame) = tokio::time::timeout_at(quiet, tab.frame()).await {
        if frame == ServerFrame::Pong {
            pongs += 1;
        }
    }
    assert!((10..30).contains(&pongs), "{pongs} pongs for 30 pings");
    watch.assert_no_presence_of("bob", QUIET).await;

    // The budget refills: the socket still works.
    tokio::time::sleep(Duration::from_secs(1)).await;
    tab.send_text(r#"{"type":"set_status","status":"dnd"}"#)
        .await;
    assert_eq!(status_of(&mut watch, "bob").await, "dnd");

    for _ in 0..200 {
        tab.send_text(r#"{"type":"ping"}"#).await;
    }
    assert_eq!(tab.close_code().await, 1008);
}

#[actix_web::test]
async fn a_frame_only_ever_changes_its_own_user() {
    let app = spawn_app().await;
    let (alice, mut watch, _bob, mut tab) = alice_and_bob(&app).await;
    tab.send_text(r#"{"type":"activity","state":"idle","username":"alice"}"#)
        .await;
    assert_eq!(status_of(&mut watch, "bob").await, "away");
    tab.send_text(r#"{"type":"set_status","status":"dnd","username":"alice","user":"alice"}"#)
        .await;
    assert_eq!(status_of(&mut watch, "bob").await, "dnd");
    watch.assert_no_presence_of("alice", QUIET).await;
    assert_eq!(api_user(&alice, "alice").await["status"], "online");
    assert_eq!(api_user(&alice, "bob").await["status"], "dnd");
}

#[actix_web::test]
async fn a_status_set_in_one_tab_reaches_the_users_other_tabs_at_once() {
    let app = spawn_app().await;
    let (_alice, mut watch, bob, mut tab1) = alice_and_bob(&app).await;
    let mut tab2 = bob.socket().await;
    tab2.snapshot_with(&["bob"]).await;

    tab1.send_text(r#"{"type":"set_status","status":"dnd"}"#)
        .await;
    assert_eq!(status_of(&mut tab2, "bob").await, "dnd");
    assert_eq!(status_of(&mut watch, "bob").await, "dnd");
    tab1.send_text(r#"{"type":"set_status","status":"invisible"}"#)
        .await;
    assert_eq!(status_of(&mut watch, "bob").await, "offline");
    assert_eq!(status_of(&mut tab2, "bob").await, "offline");
    assert_eq!(status_of(&mut tab2, "bob").await, "invisible");
    assert_eq!(status_of(&mut tab1, "bob").await, "dnd");
}
