//! Slow consumers against the real server: clients that stop reading are
//! cut off and counted, memory stays bounded, and readers keep receiving.

use std::time::{Duration, Instant};

use presence::live::courier::OUTBOX_CAPACITY;

use crate::support::{
    StandIn, TestSocket,
    metrics::{metric, scrape},
    spawn_app_with,
};

/// Clients that never read, while more events are broadcast than an
/// outbox holds: each is cut off (1013 if it reads again soon) and
/// counted, the server's memory stays bounded, and a reading client gets
/// every event.
#[actix_web::test]
async fn clients_that_stop_reading_are_closed_and_others_keep_receiving() {
    const STALLED: usize = 20;
    // Each comes and goes: three times an outbox's capacity in events,
    // well beyond what the kernel's and the dispatcher's buffers take first
    // (several hundred frames of this size).
    const USERS: usize = OUTBOX_CAPACITY * 3 / 2;
    let app = spawn_app_with(|config| {
        config.presence_grace_ms = 0;
        config.presence_login_hold_ms = 0;
    })
    .await;
    let alice = app.logged_in("alice").await;
    let mut reader = alice.socket().await;
    reader.snapshot().await;
    let mut stalled = Vec::new();
    for _ in 0..STALLED {
        stalled.push(TestSocket::open_stalled(&alice).await);
    }
    let slow_before = metric(
        &scrape(&app).await,
        "presence_sockets_closed_total",
        &[r#"reason="slow""#],
    );
    let rss_before = resident_kib();

    // Long names make each frame about 200 bytes.
    let names: Vec<String> = (0..USERS)
        .map(|i| format!("{i:04}{}", "x".repeat(146)))
        .collect();
    // The reader reads on its own, from before the first event, while the
    // stalled ones are cut.
    let reading = actix_web::rt::spawn(async move {
        let mut seen = 0;
        while seen < 2 * USERS {
            if let presence::live::protocol::ServerFrame::Presence { username, .. } =
                reader.frame().await
                && username.ends_with("xxxx")
            {
                seen += 1;
            }
        }
    });
    // The events go on while the stalled ones are found and cut, so that
    // the first can read its close frame in the 5 s before its TCP
    // connection is cut.
    let hub = app.hub.clone();
    let events = actix_web::rt::spawn(async move {
        for name in &names {
            let probe = StandIn::connect(&hub, name, "s").await;
            probe.disconnect().await;
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let slow = loop {
        let slow = metric(
            &scrape(&app).await,
            "presence_sockets_closed_total",
            &[r#"reason="slow""#],
        ) - slow_before;
        if slow >= STALLED as f64 || Instant::now() > deadline {
            break slow;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        slow >= STALLED as f64,
        "only {slow} stalled sockets were closed"
    );
    // A stalled client that reads again, within the 5 s before its TCP
    // connection is cut, finds a close frame that says 1013.
    let mut first = stalled.remove(0);
    assert_eq!(first.close_code().await, 1013);

    events.await.expect("every event was made");
    reading.await.expect("the reader saw every event");
    let rss_growth = resident_kib().saturating_sub(rss_before);
    // Each stalled socket can hold at most its outbox, the dispatcher's
    // 32 KiB and its share of the kernel's buffers; 20 of them stay far
    // below this, while unbounded buffering would grow without limit.
    assert!(rss_growth < 64 * 1024, "RSS grew by {rss_growth} KiB");
}

fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}
