//! Who owns a node id: a node frozen past its lease (`SIGSTOP`) is reaped,
//! and when it resumes it takes its lease again and publishes its users
//! anew; a second process started with a live node's id refuses to start
//! and takes nobody offline.

use std::time::{Duration, Instant};

use super::{Cluster, redis_or_skip};
use crate::support::browser::status_in;

#[actix_web::test]
async fn a_frozen_node_s_users_come_back_online_when_it_resumes() {
    let cluster = Cluster::new(redis_or_skip!("frozen_node")).await;
    let a = cluster.node("a").await;
    let (alice, mut observer) = a.observer("alice").await;
    let b = cluster.process("b").await;
    let bob = b.browser();
    bob.sign_up_and_log_in("bob").await;
    let _tab = bob.socket().await;
    assert!(observer.presence_of("bob").await);

    b.signal("STOP");
    // Reaped once its lease runs out: right, as far as anyone can tell.
    assert!(!observer.presence_of("bob").await);
    a.wait_online(&["alice"]).await;

    b.signal("CONT");
    let resumed = Instant::now();
    assert!(observer.presence_of("bob").await);
    let back = resumed.elapsed();
    assert!(back < Duration::from_secs(5), "back after {back:?}");
    // The snapshot and the rendered page agree: b rewrote its rows. The
    // reaper's removal of bob's old row may land after that rewrite began,
    // so the rows are read until they settle, page included.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let rows = a.rows().await;
        let page = status_in(&alice.page("/").await, "bob");
        if rows == ["alice", "bob"] && page.as_deref() == Some("online") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "rows are {rows:?}, bob is {page:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut fresh = alice.socket().await;
    assert_eq!(fresh.snapshot().await, ["alice", "bob"]);
    eprintln!("frozen node: users back online {back:?} after SIGCONT");
}

#[actix_web::test]
async fn a_second_process_with_a_live_node_s_id_refuses_and_takes_nobody_offline() {
    let cluster = Cluster::new(redis_or_skip!("duplicate_node_id")).await;
    let a = cluster.node("a").await;
    let (_alice, mut observer) = a.observer("alice").await;
    let b = cluster.process("b").await;
    let bob = b.browser();
    bob.sign_up_and_log_in("bob").await;
    let _tab = bob.socket().await;
    assert!(observer.presence_of("bob").await);

    let started = Instant::now();
    let mut duplicate = cluster.spawn_process("b");
    // It waits for the lease a while, then gives up; bob stays online all
    // along, on every node.
    observer
        .assert_no_presence_of("bob", Duration::from_secs(8))
        .await;
    let status = duplicate
        .exited(Duration::from_secs(10))
        .await
        .expect("the duplicate refuses to start");
    let refused = started.elapsed();
    assert!(!status.success());
    assert!(
        duplicate
            .logs()
            .contains("NODE_ID b belongs to another running process"),
        "{}",
        duplicate.logs()
    );
    assert_eq!(a.rows().await, ["alice", "bob"]);
    let mut fresh = bob.socket().await;
    assert_eq!(fresh.snapshot().await, ["alice", "bob"]);
    eprintln!("duplicate NODE_ID refused after {refused:?}");
}
