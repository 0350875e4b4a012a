//! Faults: a node killed with `kill -9`, a node restarting under its old
//! id, Redis restarting or down at start, and nodes starting together.

use std::time::{Duration, Instant};

use super::{Cluster, redis_or_skip};
use crate::support::{
    PASSWORD,
    app::{spawn_on, test_config},
    browser::listed_names,
    services::{OwnRedis, redis_url},
};

/// And the list's order follows: a killed node's users move from the
/// online part of `/` to the offline part, among the others by name.
#[actix_web::test]
async fn a_killed_node_s_users_go_offline_within_5_s_and_leave_no_rows() {
    let cluster = Cluster::new(redis_or_skip!("kill_9")).await;
    let a = cluster.node("a").await;
    let (alice, mut observer) = a.observer("alice").await;
    a.browser().sign_up("aaron", PASSWORD).await;

    let mut doomed = cluster.process("doomed").await;
    let bob = doomed.browser();
    bob.sign_up_and_log_in("bob").await;
    let _tab = bob.socket().await;
    assert!(observer.presence_of("bob").await);
    a.wait_online(&["alice", "bob"]).await;
    assert_eq!(
        listed_names(&alice.page("/").await),
        ["alice", "bob", "aaron"]
    );

    let killed = Instant::now();
    doomed
        .signal_and_wait("KILL", Duration::from_secs(5))
        .expect("killed");
    assert!(!observer.presence_of("bob").await);
    let noticed = killed.elapsed();
    assert!(
        noticed < Duration::from_secs(5),
        "noticed after {noticed:?}"
    );
    a.wait_rows(&["alice"]).await;
    assert_eq!(
        listed_names(&alice.page("/").await),
        ["alice", "aaron", "bob"]
    );
}

#[actix_web::test]
async fn a_node_restarting_under_the_same_id_starts_clean() {
    let cluster = Cluster::new(redis_or_skip!("restart_same_node_id")).await;
    let a = cluster.node("a").await;
    let (_alice, mut observer) = a.observer("alice").await;

    let mut first = cluster.process("phoenix").await;
    let bob = first.browser();
    bob.sign_up_and_log_in("bob").await;
    let _tab = bob.socket().await;
    assert!(observer.presence_of("bob").await);
    first
        .signal_and_wait("KILL", Duration::from_secs(5))
        .expect("killed");

    // Back at once, before its lease could expire.
    let _second = cluster.process("phoenix").await;
    assert!(!observer.presence_of("bob").await);
    a.wait_online(&["alice"]).await;
    a.wait_rows(&["alice"]).await;
}

#[actix_web::test]
async fn nodes_converge_within_5_s_after_redis_restarts() {
    if redis_url("redis_restart").is_none() || !OwnRedis::available() {
        return;
    }
    let mut redis = OwnRedis::reserve();
    redis.start();
    let cluster = Cluster::new(redis.url()).await;
    let (a, b) = (cluster.node("a").await, cluster.node("b").await);
    let alice = a.logged_in("alice").await;
    let mut watch_a = alice.socket().await;
    watch_a.snapshot_with(&["alice"]).await;
    let bob = b.logged_in("bob").await;
    let bob_tab = bob.socket().await;
    assert!(watch_a.presence_of("bob").await);
    b.wait_online(&["alice", "bob"]).await;
    a.wait_online(&["alice", "bob"]).await;

    redis.stop();
    // bob leaves node b while Redis is away; b tells its own sockets.
    bob_tab.close().await;
    tokio::time::sleep(Duration::from_millis(1000)).await;

    redis.start();
    let back = Instant::now();
    a.wait_online(&["alice"]).await;
    b.wait_online(&["alice"]).await;
    let converged = back.elapsed();
    assert!(
        converged < Duration::from_secs(5),
        "converged after {converged:?}"
    );
    // alice's page, on node a, learnt that bob left.
    assert!(!watch_a.presence_of("bob").await);

    // The cluster shares presence again: carol arrives on b, a sees her.
    let carol = b.browser();
    let deadline = Instant::now() + Duration::from_secs(5);
    while carol.get("/sign_up/").await.status() != 200 {
        assert!(Instant::now() < deadline, "sessions did not come back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    carol.sign_up_and_log_in("carol").await;
    let _carol_tab = carol.socket().await;
    assert!(watch_a.presence_of("carol").await);
}

#[actix_web::test]
async fn a_node_starts_while_redis_is_down_and_joins_when_it_returns() {
    if redis_url("start_without_redis").is_none() || !OwnRedis::available() {
        return;
    }
    let mut redis = OwnRedis::reserve(); // not started yet
    let cluster = Cluster::new(redis.url()).await;
    let mut config = test_config(&cluster.db.url);
    config.redis_url = Some(redis.url());
    config.redis_prefix = cluster.prefix.clone();
    let started = Instant::now();
    let node = spawn_on(config, None).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "start-up waited for Redis"
    );
    // Sessions live in the database: logins work without Redis.
    let alice = node.logged_in("alice").await;
    let mut tab = alice.socket().await;
    tab.snapshot_with(&["alice"]).await;

    redis.start();
    // Joined: a second node sees alice.
    let other = cluster.node("b").await;
    other.wait_online(&["alice"]).await;
}

#[actix_web::test]
async fn several_nodes_starting_at_once_migrate_one_database_safely() {
    let cluster = Cluster::new(redis_or_skip!("concurrent_migrations")).await;
    let (a, b, c) = tokio::join!(cluster.node("a"), cluster.node("b"), cluster.node("c"));
    let bob = a.logged_in("bob").await;
    let _tab = bob.socket().await;
    for node in [&a, &b, &c] {
        node.wait_online(&["bob"]).await;
    }
}
