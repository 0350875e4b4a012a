//! Rich presence across nodes: how a user attends is aggregated through
//! Redis (away only when idle on every node, devices of every node), and
//! what a user chose (do not disturb, a custom status) reaches every node,
//! including one that joins later.

use presence::live::protocol::ServerFrame;

use super::{AFTER_GRACE, Cluster, carry, redis_or_skip};
use crate::support::TestSocket;

const IDLE: &str = r#"{"type":"activity","state":"idle"}"#;
const ACTIVE: &str = r#"{"type":"activity","state":"active"}"#;

/// The status in the next presence frame about `user`.
async fn status_of(socket: &mut TestSocket, user: &str) -> String {
    loop {
        if let ServerFrame::Presence {
            username, status, ..
        } = socket.frame().await
            && username == user
        {
            return status;
        }
    }
}

/// The status of `user` in the snapshot a fresh socket of `browser` gets.
async fn snapshot_status(socket: &mut TestSocket, user: &str) -> Option<String> {
    match socket.frame().await {
        ServerFrame::Snapshot { users, .. } => users.get(user).map(|each| each.status.clone()),
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

#[actix_web::test]
async fn idle_on_one_node_and_active_on_the_other_is_online_and_idle_on_both_is_away() {
    let cluster = Cluster::new(redis_or_skip!("away_across_nodes")).await;
    let (a, b) = (cluster.node("a").await, cluster.node("b").await);
    let (_alice, mut observer) = a.observer("alice").await;
    let bob = a.logged_in("bob").await;
    let mut on_a = bob.socket().await;
    on_a.snapshot().await;
    assert_eq!(status_of(&mut observer, "bob").await, "online");
    let on_b_browser = carry(&bob, &b.address);
    let mut on_b = on_b_browser.socket().await;
    on_b.snapshot().await;
    cluster.wait_attending("bob", "b").await;

    on_a.send_text(IDLE).await;
    observer.assert_no_presence_of("bob", AFTER_GRACE).await;
    on_b.send_text(IDLE).await;
    assert_eq!(status_of(&mut observer, "bob").await, "away");
    // Every node agrees, in its snapshot.
    let mut fresh_b = on_b_browser.socket().await;
    assert_eq!(
        snapshot_status(&mut fresh_b, "bob").await.as_deref(),
        Some("away")
    );

    on_a.send_text(ACTIVE).await;
    assert_eq!(status_of(&mut observer, "bob").await, "online");
}

#[actix_web::test]
async fn do_not_disturb_set_on_one_node_shows_on_every_node_and_on_one_that_joins_later() {
    let cluster = Cluster::new(redis_or_skip!("profile_across_nodes")).await;
    let (a, b) = (cluster.node("a").await, cluster.node("b").await);
    let (alice, mut observer) = a.observer("alice").await;
    let bob = b.logged_in("bob").await;
    let mut tab = bob.socket().await;
    tab.snapshot().await;
    assert_eq!(status_of(&mut observer, "bob").await, "online");

    tab.send_text(r#"{"type":"set_status","status":"dnd"}"#)
        .await;
    assert_eq!(status_of(&mut observer, "bob").await, "dnd");

    let c = cluster.node("c").await;
    c.wait_online(&["alice", "bob"]).await;
    let mut on_c = carry(&alice, &c.address).socket().await;
    assert_eq!(
        snapshot_status(&mut on_c, "bob").await.as_deref(),
        Some("dnd")
    );
}
