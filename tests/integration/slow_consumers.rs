//! Slow consumers against the real server: clients that stop reading are
//! cut off and counted, memory stays bounded, and readers keep receiving.

use std::time::{Duration, Instant};

use crate::support::{
    StandIn, TestSocket,
    metrics::{metric, scrape},
    spawn_app_with,
};

/// Clients that never read, while 1000 events are broadcast: each is cut
/// off (1013 if it reads again soon) and counted, the server's memory stays
/// bounded, and a reading client gets every event.
#[actix_web::test]
async fn clients_that_stop_reading_are_closed_and_others_keep_receiving() {
    const STALLED: usize = 20;
    const USERS: usize = 500; // each comes and goes: 1000 events
    let app = spawn_app_with(|config| config.presence_grace_ms = 0).await;
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
        .map(|i| format!("{i:03}{}", "x".repeat(147)))
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
    for name in &names {
        let probe = StandIn::connect(&app.hub, name, "s").await;
        probe.disconnect().await;
    }
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
