//! WebSockets against hostile or broken clients: caps, a clean close, and
//! no stall without an end.

use std::{
    net::IpAddr,
    time::{Duration, Instant},
};

use crate::support::{
    PASSWORD, StandIn, TestSocket,
    metrics::{metric, scrape},
    raw_socket::RawSocket,
    spawn_app, spawn_app_with,
};

/// RFC 6455 §7.1.1: after the close handshake the server closes the TCP
/// connection first. A browser's close (a tab closing) must not leave the
/// connection lingering.
#[actix_web::test]
async fn a_client_close_is_answered_and_the_server_closes_tcp_at_once() {
    let app = spawn_app().await;
    let alice = app.logged_in("alice").await;
    let mut socket = RawSocket::open(&alice).await.expect("upgraded");
    tokio::time::sleep(Duration::from_millis(100)).await;
    socket.send_close(1001).await;
    let took = socket
        .time_to_eof(Duration::from_secs(5))
        .await
        .expect("the server closed the connection");
    eprintln!("TCP closed {took:?} after the client's close frame");
    assert!(
        took < Duration::from_millis(500),
        "the connection lingered {took:?}"
    );
}

/// Sockets one login and one user may hold: beyond either cap the upgrade
/// gets 429 and is counted, other users are not affected, and a closed
/// socket gives its place back.
#[actix_web::test]
async fn sockets_beyond_the_login_and_user_caps_get_429_and_others_are_unaffected() {
    let app = spawn_app_with(|config| {
        config.sockets.ws_max_sockets_per_login = 3;
        config.sockets.ws_max_sockets_per_user = 5;
    })
    .await;
    let refused = |text: &str, reason: &str| {
        metric(
            text,
            "presence_sockets_refused_total",
            &[&format!(r#"reason="{reason}""#)],
        )
    };
    let before = scrape(&app).await;
    let laptop = app.logged_in("alice").await;
    let mut tabs = Vec::new();
    for _ in 0..3 {
        tabs.push(laptop.socket().await);
    }
    assert_eq!(
        TestSocket::open(&laptop, None).await.err().map(u16::from),
        Some(429)
    );

    let phone = app.browser();
    phone.log_in("alice", PASSWORD).await;
    tabs.push(phone.socket().await);
    tabs.push(phone.socket().await);
    assert_eq!(
        TestSocket::open(&phone, None).await.err().map(u16::from),
        Some(429)
    );

    let bob = app.logged_in("bob").await;
    let mut bobs = bob.socket().await;
    bobs.snapshot().await;

    let after = scrape(&app).await;
    assert_eq!(refused(&after, "login") - refused(&before, "login"), 1.0);
    assert_eq!(refused(&after, "user") - refused(&before, "user"), 1.0);

    tabs.pop().expect("a tab").close().await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while TestSocket::open(&phone, None).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "the closed tab's place was never given back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One address opening sockets too fast gets 429 with `Retry-After`; another
/// address is not held back by it.
#[actix_web::test]
async fn an_address_opening_sockets_too_fast_gets_429_and_another_address_does_not() {
    let app = spawn_app_with(|config| config.sockets.ws_upgrades_per_address_per_sec = 4).await;
    let alice = app.logged_in("alice").await;
    let here: IpAddr = "127.0.0.1".parse().expect("an address");
    let mut codes = Vec::new();
    for _ in 0..6 {
        codes.push(match RawSocket::open_from(&alice, here).await {
            Ok(_) => 101,
            Err(code) => code,
        });
    }
    eprintln!("upgrade answers from one address within a second: {codes:?}");
    assert!(codes.contains(&429), "{codes:?}");
    assert!(codes.iter().filter(|code| **code == 101).count() <= 4);
    let there: IpAddr = "127.0.0.2".parse().expect("an address");
    assert!(RawSocket::open_from(&alice, there).await.is_ok());
}

/// A client that stops reading while its socket holds unsent output is cut
/// after the stall timeout, though no new event comes to fill its queue.
#[actix_web::test]
async fn a_socket_that_stopped_reading_is_cut_even_when_no_event_follows() {
    let app = spawn_app_with(|config| config.sockets.ws_stall_timeout_ms = 1500).await;
    // A snapshot of a few hundred kilobytes fills every buffer on the way.
    let mut others = Vec::new();
    for i in 0..1500 {
        let name = format!("{i:04}{}", "x".repeat(140));
        others.push(StandIn::connect(&app.hub, &name, "s").await);
    }
    let stalled_before = metric(
        &scrape(&app).await,
        "presence_sockets_closed_total",
        &[r#"reason="stalled""#],
    );
    let alice = app.logged_in("alice").await;
    let _stalled = TestSocket::open_stalled(&alice).await;
    let started = Instant::now();
    loop {
        let stalled = metric(
            &scrape(&app).await,
            "presence_sockets_closed_total",
            &[r#"reason="stalled""#],
        );
        if stalled > stalled_before {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the stalled socket was never cut"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("stalled socket cut {:?} after it opened", started.elapsed());
    // With its socket gone, alice goes offline after the grace period.
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.online().await.iter().any(|name| name == "alice") {
        assert!(Instant::now() < deadline, "alice stayed online");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
