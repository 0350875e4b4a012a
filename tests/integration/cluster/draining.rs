//! A rolling restart: a node stopped with `SIGTERM` drains. Its pages
//! reconnect elsewhere at once, and nobody whose page moved is ever
//! announced offline; whoever did not come back goes offline when the
//! drain ends, and the node exits within its budget.

use std::time::{Duration, Instant};

use presence::live::protocol::ServerFrame;

use super::{Cluster, carry, redis_or_skip};
use crate::support::TestSocket;

/// The page's jitter after a 1001 is under 250 ms: the tab comes back
/// within it, as `static/js/socket.js` does.
const JITTER: Duration = Duration::from_millis(250);

/// Reads `observer`'s frames until `user` is announced offline, failing on
/// any frame about `never`.
async fn offline_but_never(observer: &mut TestSocket, user: &str, never: &str) {
    loop {
        if let ServerFrame::Presence {
            username,
            is_logged_in,
            ..
        } = observer.frame().await
        {
            assert_ne!(username, never, "{never} flapped");
            if username == user {
                assert!(!is_logged_in, "{user} came online instead");
                return;
            }
        }
    }
}

#[actix_web::test]
async fn a_rolling_restart_never_shows_a_user_whose_page_moved_offline() {
    let cluster = Cluster::new(redis_or_skip!("rolling_restart")).await;
    let a = cluster.node("a").await;
    let (_alice, mut observer) = a.observer("alice").await;
    let mut b = cluster
        .process_with("b", &[("PRESENCE_GRACE_MS", "2000")])
        .await;
    let bob = b.browser();
    bob.sign_up_and_log_in("bob").await;
    let mut bob_tab = bob.socket().await;
    bob_tab.snapshot().await;
    assert!(observer.presence_of("bob").await);
    let carol = b.browser();
    carol.sign_up_and_log_in("carol").await;
    let mut carol_tab = carol.socket().await;
    carol_tab.snapshot().await;
    assert!(observer.presence_of("carol").await);

    let term = Instant::now();
    b.signal("TERM");
    assert_eq!(bob_tab.close_code().await, 1001);
    assert_eq!(carol_tab.close_code().await, 1001);
    // While it drains, b tells a load balancer to send no new pages.
    let health = bob.get("/healthz").await;
    assert_eq!(health.status(), 503);
    let body: serde_json::Value = health.json().await.expect("JSON");
    assert_eq!(body["status"], "draining", "{body}");
    // bob's page comes back at once, to node a; carol's does not.
    tokio::time::sleep(JITTER).await;
    let mut moved = carry(&bob, &a.address).socket().await;
    moved.snapshot().await;

    offline_but_never(&mut observer, "carol", "bob").await;
    let carol_offline = term.elapsed();
    let status = b.exited(Duration::from_secs(6)).await;
    let exited = term.elapsed();
    assert!(status.is_some_and(|status| status.success()), "{status:?}");
    observer
        .assert_no_presence_of("bob", Duration::from_secs(1))
        .await;
    assert_eq!(a.rows().await, ["alice", "bob"]);
    eprintln!("rolling restart: carol offline after {carol_offline:?}, b exited after {exited:?}");
}
