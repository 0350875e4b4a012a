//! The WebSocket at `/users/` over real sockets, with several browsers.

use std::time::Duration;

use presence::live::protocol::ServerFrame;
use tokio_tungstenite::tungstenite::{
    Message,
    protocol::frame::{
        Frame,
        coding::{Data, OpCode},
    },
};

use crate::support::{TestSocket, spawn_app, spawn_app_with};

/// Comfortably longer than the test grace period of 1 s.
const AFTER_GRACE: Duration = Duration::from_millis(1800);

#[actix_web::test]
async fn an_upgrade_without_a_login_gets_401_and_announces_nobody() {
    let app = spawn_app().await;
    let (_alice, mut observer) = app.observer("alice").await;
    let anonymous = app.browser();
    anonymous.page("/log_in/").await; // a session, but not a logged-in one
    let refused = TestSocket::open(&anonymous, None).await;
    assert_eq!(refused.err().map(|status| status.as_u16()), Some(401));
    let cookieless = TestSocket::open(&app.browser(), None).await;
    assert_eq!(cookieless.err().map(|status| status.as_u16()), Some(401));
    observer.assert_quiet(Duration::from_millis(300)).await;
    assert_eq!(app.online().await, ["alice"]);
}

#[actix_web::test]
async fn an_upgrade_from_another_origin_gets_403() {
    let app = spawn_app().await;
    let alice = app.logged_in("alice").await;
    let refused = TestSocket::open(&alice, Some("http://evil.example")).await;
    assert_eq!(refused.err().map(|status| status.as_u16()), Some(403));
    let own = format!("http://127.0.0.1:{}", app.port);
    assert!(TestSocket::open(&alice, Some(&own)).await.is_ok());
}

#[actix_web::test]
async fn the_first_frame_is_a_snapshot_of_who_is_online() {
    let app = spawn_app().await;
    let alice = app.logged_in("alice").await;
    let bob = app.logged_in("bob").await;
    let _bob_tab = bob.socket().await;
    app.logged_in("carol").await;
    app.wait_online(&["alice", "bob", "carol"]).await;
    let mut tab = alice.socket().await;
    // carol's login still holds her online: no socket needed yet.
    assert_eq!(tab.snapshot().await, ["alice", "bob", "carol"]);
}

/// The session hands its output to the HTTP layer in slices (see
/// `presence::live::sliced`); a snapshot several slices long still arrives as one
/// whole frame, and the events after it arrive after it.
#[actix_web::test]
async fn a_snapshot_several_slices_long_arrives_whole_and_first() {
    // Logins hold users online for the login hold: long enough here for
    // 45 of them to be made on a loaded machine.
    let app = spawn_app_with(|config| {
        config.signup_limit = 0;
        config.presence_login_hold_ms = 60_000;
    })
    .await;
    let mut names: Vec<String> = (0..45)
        .map(|i| format!("{i:02}{}", "x".repeat(140)))
        .collect();
    let total: usize = names.iter().map(String::len).sum();
    assert!(total > 2 * presence::live::sliced::SLICE_BYTES);
    for name in &names {
        app.logged_in(name).await;
    }
    let zed = app.logged_in("zed").await;
    names.push("zed".to_owned());
    let expected: Vec<&str> = names.iter().map(String::as_str).collect();
    app.wait_online(&expected).await;

    let mut tab = zed.socket().await;
    assert_eq!(tab.snapshot().await, expected);
    app.logged_in("yan").await;
    assert!(tab.presence_of("yan").await);
}

#[actix_web::test]
async fn a_login_is_announced_at_once_in_the_seed_format() {
    let app = spawn_app().await;
    let (_alice, mut observer) = app.observer("alice").await;
    let bob = app.browser();
    bob.sign_up("bob", crate::support::PASSWORD).await;
    loop {
        if let ServerFrame::UserAdded { username } = observer.frame().await {
            assert_eq!(username, "bob");
            break;
        }
    }
    bob.log_in("bob", crate::support::PASSWORD).await;
    // Before bob's page opens any socket:
    let raw = observer.raw_text().await;
    let frame: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(frame["username"], "bob");
    assert_eq!(frame["is_logged_in"], true);
    assert_eq!(frame["type"], "presence");
}

#[actix_web::test]
async fn a_new_account_appears_in_open_lists_without_a_reload() {
    let app = spawn_app().await;
    let (_alice, mut observer) = app.observer("alice").await;
    app.browser()
        .sign_up("carol", crate::support::PASSWORD)
        .await;
    loop {
        match observer.frame().await {
            ServerFrame::UserAdded { username } => break assert_eq!(username, "carol"),
            ServerFrame::Presence { username, .. } => assert_ne!(username, "carol"),
            _ => {}
        }
    }
}

#[actix_web::test]
async fn a_second_tab_keeps_the_user_online_when_the_first_closes() {
    let app = spawn_app().await;
    let alice = app.logged_in("alice").await;
    let bob = app.logged_in("bob").await;
    let mut observer = alice.socket().await;
    let tab1 = bob.socket().await;
    let mut tab2 = bob.socket().await;
    tab2.snapshot().await;
    observer.snapshot_with(&["alice", "bob"]).await;

    tab1.close().await;
    observer.assert_no_presence_of("bob", AFTER_GRACE).await;
    assert!(app.online().await.contains(&"bob".to_owned()));

    tab2.close().await;
    assert!(!observer.presence_of("bob").await);
    assert!(!app.rows().await.contains(&"bob".to_owned()));
}

#[actix_web::test]
async fn a_reload_inside_the_grace_period_does_not_flap_the_user() {
    let app = spawn_app().await;
    let alice = app.logged_in("alice").await;
    let bob = app.logged_in("bob").await;
    let mut observer = alice.socket().await;
    observer.snapshot_with(&["alice", "bob"]).await;
    let tab = bob.socket().await;
    tab.close().await;
    let _reloaded = bob.socket().await;
    observer.assert_no_presence_of("bob", AFTER_GRACE).await;
}

/// A page loads more slowly after a login than it reloads: the login's
/// hold outlasts the grace period, then runs out if no page connects.
#[actix_web::test]
async fn a_login_holds_its_user_online_past_the_grace_period_until_its_hold_ends() {
    let app = spawn_app_with(|config| {
        config.presence_grace_ms = 200;
        config.presence_login_hold_ms = 2000;
    })
    .await;
    let (_alice, mut observer) = app.observer("alice").await;
    let _bob = app.logged_in("bob").await;
    assert!(observer.presence_of("bob").await);
    let held = std::time::Instant::now();
    observer
        .assert_no_presence_of("bob", Duration::from_millis(1000))
        .await;
    assert!(!observer.presence_of("bob").await);
    assert!(held.elapsed() >= Duration::from_millis(1500));
}

#[actix_web::test]
async fn logout_closes_its_tabs_with_1000_and_takes_the_user_offline() {
    let app = spawn_app().await;
    let alice = app.logged_in("alice").await;
    let bob = app.logged_in("bob").await;
    let mut observer = alice.socket().await;
    observer.snapshot_with(&["alice", "bob"]).await;
    let mut tab = bob.socket().await;
    tab.snapshot().await;

    bob.log_out().await;
    assert_eq!(tab.close_code().await, 1000);
    assert!(!observer.presence_of("bob").await);
    assert_eq!(app.rows().await, ["alice"]);
}

#[actix_web::test]
async fn logout_keeps_the_user_online_while_another_login_has_a_socket() {
    let app = spawn_app().await;
    let alice = app.logged_in("alice").await;
    let laptop = app.logged_in("bob").await;
    let phone = app.browser();
    phone.log_in("bob", crate::support::PASSWORD).await;
    let mut observer = alice.socket().await;
    observer.snapshot_with(&["alice", "bob"]).await;
    let mut laptop_tab = laptop.socket().await;
    let mut phone_tab = phone.socket().await;
    laptop_tab.snapshot().await;
    phone_tab.snapshot().await;

    laptop.log_out().await;
    assert_eq!(laptop_tab.close_code().await, 1000);
    observer.assert_no_presence_of("bob", AFTER_GRACE).await;
    phone_tab.send_text(r#"{"type":"ping"}"#).await;
    loop {
        if phone_tab.frame().await == ServerFrame::Pong {
            break;
        }
    }
}

#[actix_web::test]
async fn client_text_is_ignored_except_ping_and_cannot_spoof_presence() {
    let app = spawn_app().await;
    let alice = app.logged_in("alice").await;
    // A socket keeps bob online for as long as the test takes.
    let bob = app.logged_in("bob").await;
    let _bob_tab = bob.socket().await;
    let mut observer = alice.socket().await;
    observer.snapshot().await;
    let mut tab = alice.socket().await;
    tab.snapshot().await;
    for text in [
        r#"{"type":"presence","username":"bob","is_logged_in":false}"#,
        r#"{"username":"bob","is_logged_in":false}"#,
        "not json",
        "",
    ] {
        tab.send_text(text).await;
    }
    tab.send_text(r#"{"type":"ping"}"#).await;
    loop {
        match tab.frame().await {
            ServerFrame::Pong => break,
            ServerFrame::Presence {
                username,
                is_logged_in,
                ..
            } => {
                assert!(
                    is_logged_in,
                    "{username} was taken offline by a client's text"
                );
            }
            _ => {}
        }
    }
    assert!(app.online().await.contains(&"bob".to_owned()));
}

#[actix_web::test]
async fn a_binary_frame_closes_the_socket_with_1003() {
    let app = spawn_app().await;
    let alice = app.logged_in("alice").await;
    let mut tab = alice.socket().await;
    tab.snapshot().await;
    tab.send(Message::binary(vec![1, 2, 3])).await;
    assert_eq!(tab.close_code().await, 1003);
}

#[actix_web::test]
async fn a_frame_over_64_kib_closes_the_socket_with_1009() {
    let app = spawn_app().await;
    let alice = app.logged_in("alice").await;
    let mut tab = alice.socket().await;
    tab.snapshot().await;
    tab.send_text(&"x".repeat(64 * 1024 + 1)).await;
    assert_eq!(tab.close_code().await, 1009);
}

#[actix_web::test]
async fn a_fragmented_message_over_64_kib_closes_the_socket_with_1009() {
    let app = spawn_app().await;
    let alice = app.logged_in("alice").await;
    let mut tab = alice.socket().await;
    tab.snapshot().await;
    let chunk = vec![b'x'; 40 * 1024];
    tab.send_frame(Frame::message(
        chunk.clone(),
        OpCode::Data(Data::Text),
        false,
    ))
    .await;
    tab.send_frame(Frame::message(chunk, OpCode::Data(Data::Continue), true))
        .await;
    assert_eq!(tab.close_code().await, 1009);
}

#[actix_web::test]
async fn a_silent_client_is_dropped_and_goes_offline() {
    let app = spawn_app_with(|config| {
        config.ws_heartbeat_ms = 100;
        config.ws_client_timeout_ms = 400;
    })
    .await;
    let alice = app.logged_in("alice").await;
    let bob = app.logged_in("bob").await;
    let mut observer = alice.socket().await;
    observer.snapshot_with(&["alice", "bob"]).await;
    // bob's socket never reads, so it never answers the server's pings.
    let _silent = bob.socket().await;
    // alice keeps answering (reading answers pings automatically).
    assert!(!observer.presence_of("bob").await);
}
