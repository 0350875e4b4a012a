//! Redis losing its memory: a `kill -9` and a restart without persistence
//! logs nobody out and presence converges within seconds; a node that died
//! while Redis was away leaves no rows behind; and a node warns at start
//! when Redis may evict presence's keys.

use std::time::{Duration, Instant};

use super::{Cluster, carry};
use crate::support::services::{OwnRedis, redis_url};

/// An own Redis, started, or `None` (printed) where none can run.
fn own_redis(test: &str) -> Option<OwnRedis> {
    if redis_url(test).is_none() || !OwnRedis::available() {
        return None;
    }
    let mut redis = OwnRedis::reserve();
    redis.start();
    Some(redis)
}

#[actix_web::test]
async fn logins_survive_redis_losing_its_memory_and_presence_converges() {
    let Some(mut redis) = own_redis("redis_memory_loss") else {
        return;
    };
    let cluster = Cluster::new(redis.url()).await;
    let (a, b) = (cluster.process("a").await, cluster.process("b").await);
    let alice = a.browser();
    alice.sign_up_and_log_in("alice").await;
    let mut watch = alice.socket().await;
    watch.snapshot_with(&["alice"]).await;
    let bob = b.browser();
    bob.sign_up_and_log_in("bob").await;
    let _bob_tab = bob.socket().await;
    assert!(watch.presence_of("bob").await);

    redis.stop(); // kill -9: no persistence, every key gone
    redis.start();
    let back = Instant::now();
    for (login, name) in [(&alice, "alice"), (&bob, "bob")] {
        for node in [&a.address, &b.address] {
            let page = carry(login, node).page("/").await;
            assert!(
                page.contains(&format!("Logged in as <strong>{name}</strong>")),
                "{name} was logged out on {node}"
            );
        }
    }
    // Both nodes' snapshots show both users again.
    for node in [&a.address, &b.address] {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut socket = carry(&alice, node).socket().await;
            if socket.snapshot().await == ["alice", "bob"] {
                break;
            }
            assert!(Instant::now() < deadline, "{node} never converged");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    eprintln!(
        "Redis memory loss: converged {:?} after restart",
        back.elapsed()
    );
}

#[actix_web::test]
async fn a_node_that_died_while_redis_was_away_leaves_no_rows() {
    let Some(mut redis) = own_redis("ghost_rows") else {
        return;
    };
    let cluster = Cluster::new(redis.url()).await;
    let a = cluster.node("a").await;
    let mut doomed = cluster.process("doomed").await;
    let bob = doomed.browser();
    bob.sign_up_and_log_in("bob").await;
    let _tab = bob.socket().await;
    a.wait_online(&["bob"]).await;

    redis.stop();
    doomed
        .signal_and_wait("KILL", Duration::from_secs(5))
        .expect("killed");
    redis.start(); // empty: only the rows know of node "doomed"
    let back = Instant::now();
    let deadline = back + Duration::from_secs(20);
    while !a.rows().await.is_empty() {
        assert!(Instant::now() < deadline, "ghost rows {:?}", a.rows().await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "ghost rows removed {:?} after Redis returned",
        back.elapsed()
    );
}

#[actix_web::test]
async fn a_node_warns_at_start_when_redis_may_evict_its_keys() {
    let Some(mut safe) = own_redis("redis_settings") else {
        return;
    };
    let mut evicting = OwnRedis::reserve();
    evicting.start_with(&["--maxmemory-policy", "allkeys-lru"]);
    let warned = Cluster::new(evicting.url()).await.process("a").await;
    let logs = warned.logs();
    assert!(
        logs.contains("allkeys-lru") && logs.contains("set it to noeviction"),
        "{logs}"
    );
    let quiet = Cluster::new(safe.url()).await.process("a").await;
    assert!(
        !quiet.logs().contains("maxmemory-policy"),
        "{}",
        quiet.logs()
    );
    safe.stop();
}
