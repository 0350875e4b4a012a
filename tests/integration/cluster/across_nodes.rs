//! One truth across nodes: a user is online once wherever their tabs are,
//! sessions and logouts reach every node, and every node's snapshot and
//! page show the whole cluster.

use std::time::Duration;

use super::{AFTER_GRACE, Cluster, carry, redis_or_skip};
use crate::support::browser::status_in;

#[actix_web::test]
async fn a_user_on_one_node_is_seen_online_and_offline_on_the_other() {
    let cluster = Cluster::new(redis_or_skip!("cross_node_presence")).await;
    let (a, b) = (cluster.node("a").await, cluster.node("b").await);
    let (_alice, mut observer) = a.observer("alice").await;

    let bob = b.browser();
    bob.sign_up_and_log_in("bob").await;
    assert!(observer.presence_of("bob").await);
    let tab = bob.socket().await;
    tab.close().await;
    assert!(!observer.presence_of("bob").await);
    assert!(!a.rows().await.contains(&"bob".to_owned()));
}

#[actix_web::test]
async fn a_session_from_one_node_is_honoured_by_the_other() {
    let cluster = Cluster::new(redis_or_skip!("shared_session")).await;
    let (a, b) = (cluster.node("a").await, cluster.node("b").await);
    let on_a = a.logged_in("bob").await;
    let on_b = b.browser();
    on_b.jar
        .add_cookie_str(&on_a.cookie_header().unwrap(), &b.address.parse().unwrap());
    let page = on_b.get("/").await;
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Logged in as <strong>bob</strong>")
    );
    on_a.log_out().await;
    assert_eq!(
        on_b.get("/").await.status(),
        303,
        "node b still honours a logged-out session"
    );
}

#[actix_web::test]
async fn tabs_on_two_nodes_keep_a_user_online_once() {
    let cluster = Cluster::new(redis_or_skip!("multi_tab_across_nodes")).await;
    let (a, b) = (cluster.node("a").await, cluster.node("b").await);
    let alice = a.logged_in("alice").await;
    let mut watch_a = alice.socket().await;
    watch_a.snapshot_with(&["alice"]).await;
    let watcher_b = b.browser();
    watcher_b
        .jar
        .add_cookie_str(&alice.cookie_header().unwrap(), &b.address.parse().unwrap());
    let mut watch_b = watcher_b.socket().await;
    watch_b.snapshot_with(&["alice"]).await;

    let bob_a = a.logged_in("bob").await;
    let bob_b = b.browser();
    bob_b
        .jar
        .add_cookie_str(&bob_a.cookie_header().unwrap(), &b.address.parse().unwrap());
    let tab_a = bob_a.socket().await;
    let tab_b = bob_b.socket().await;
    // Exactly one online bulletin reaches each observer, on each node.
    assert!(watch_a.presence_of("bob").await);
    assert!(watch_b.presence_of("bob").await);
    watch_a.assert_no_presence_of("bob", AFTER_GRACE).await;
    watch_b.assert_no_presence_of("bob", Duration::ZERO).await;

    tab_a.close().await;
    watch_a.assert_no_presence_of("bob", AFTER_GRACE).await;
    watch_b.assert_no_presence_of("bob", Duration::ZERO).await;

    tab_b.close().await;
    assert!(!watch_a.presence_of("bob").await);
    assert!(!watch_b.presence_of("bob").await);
    // The snapshot and the page of either node show the cluster-wide set.
    let mut fresh = watcher_b.socket().await;
    assert_eq!(fresh.snapshot().await, ["alice"]);
    assert_eq!(
        status_in(&watcher_b.page("/").await, "bob").as_deref(),
        Some("offline")
    );
}

#[actix_web::test]
async fn the_snapshot_and_page_of_a_node_show_users_of_the_other() {
    let cluster = Cluster::new(redis_or_skip!("cluster_snapshot")).await;
    let (a, b) = (cluster.node("a").await, cluster.node("b").await);
    let bob = a.logged_in("bob").await;
    let mut tab = bob.socket().await;
    tab.snapshot_with(&["bob"]).await;
    let carol = b.logged_in("carol").await;
    b.wait_online(&["bob", "carol"]).await;
    let mut on_b = carol.socket().await;
    assert_eq!(on_b.snapshot().await, ["bob", "carol"]);
    assert_eq!(
        status_in(&carol.page("/").await, "bob").as_deref(),
        Some("online")
    );
}

#[actix_web::test]
async fn logout_on_one_node_closes_the_sessions_sockets_on_the_other() {
    let cluster = Cluster::new(redis_or_skip!("logout_across_nodes")).await;
    let (a, b) = (cluster.node("a").await, cluster.node("b").await);
    let (_alice, mut observer) = a.observer("alice").await;
    let bob_a = a.logged_in("bob").await;
    let bob_b = b.browser();
    bob_b
        .jar
        .add_cookie_str(&bob_a.cookie_header().unwrap(), &b.address.parse().unwrap());
    let mut tab_b = bob_b.socket().await;
    tab_b.snapshot().await;
    assert!(observer.presence_of("bob").await);

    bob_a.log_out().await;
    assert_eq!(tab_b.close_code().await, 1000);
    assert!(!observer.presence_of("bob").await);
}

#[actix_web::test]
async fn nodes_without_secret_key_all_sign_with_the_key_kept_in_the_database() {
    let cluster = Cluster::new(redis_or_skip!("cluster_key_in_database")).await;
    let no_key = [("SECRET_KEY", "")];
    let a = cluster.process_with("a", &no_key).await;
    let b = cluster.process_with("b", &no_key).await;
    let bob = a.browser();
    bob.sign_up_and_log_in("bob").await;
    let page = carry(&bob, &b.address).page("/").await;
    assert!(
        page.contains("Logged in as <strong>bob</strong>"),
        "node b refused node a's cookie"
    );
}
