//! Rich statuses through the cluster's failures: a node killed with
//! `kill -9`, a rolling restart, a frozen node and Redis restarting empty
//! show do not disturb, away and custom statuses as they were, never as a
//! plain "online". Each test watches through a real socket on another node.

use std::time::{Duration, Instant};

use super::{
    Cluster, carry, redis_or_skip,
    shown::{
        Shown, converged, eventually_shown, offline, only_shown, set_custom, shown, tab_on,
        until_all_shown, until_shown,
    },
};
use crate::support::{
    Browser,
    services::{OwnRedis, redis_url},
};

const DND: &str = r#"{"type":"set_status","status":"dnd"}"#;
const IDLE: &str = r#"{"type":"activity","state":"idle"}"#;
const PHONE: &str = "Mozilla/5.0 (Linux; Android 14) Mobile";

#[actix_web::test]
async fn a_killed_node_s_dnd_user_goes_offline_and_one_with_a_tab_elsewhere_stays_dnd_with_its_devices()
 {
    let cluster = Cluster::new(redis_or_skip!("rich_kill_9")).await;
    let a = cluster.node("a").await;
    let (alice, mut observer) = a.observer("alice").await;
    let mut doomed = cluster.process("doomed").await;
    let (_carol, mut carol_tab) = tab_on(&doomed.address, "carol", None).await;
    carol_tab.send_text(DND).await;
    carol_tab.send_text(&set_custom("away from keyboard")).await;
    let (bob, mut bob_phone) = tab_on(&doomed.address, "bob", Some(PHONE)).await;
    let mut bob_desk = carry(&bob, &a.address).socket().await;
    bob_desk.snapshot().await;
    bob_phone.send_text(DND).await;
    bob_phone.send_text(&set_custom("focus")).await;
    let bob_both = shown("dnd", Some("focus"), &["desktop", "mobile"]);
    eventually_shown(&mut observer, "bob", &bob_both).await;
    a.wait_online(&["alice", "bob", "carol"]).await;

    let killed = Instant::now();
    doomed
        .signal_and_wait("KILL", Duration::from_secs(5))
        .expect("killed");
    let carol_dnd = shown("dnd", Some("away from keyboard"), &["desktop"]);
    let bob_here = shown("dnd", Some("focus"), &["desktop"]);
    until_all_shown(
        &mut observer,
        &[
            ("carol", offline(), vec![carol_dnd]),
            ("bob", bob_here.clone(), vec![bob_both]),
        ],
    )
    .await;
    let noticed = killed.elapsed();
    assert!(
        noticed < Duration::from_secs(5),
        "offline after {noticed:?}"
    );
    let alice_shown = shown("online", None, &["desktop"]);
    converged(
        &alice,
        &a.address,
        &[("alice", alice_shown), ("bob", bob_here)],
    )
    .await;
    eprintln!("rich kill -9: carol offline after {noticed:?}, bob dnd on a's desktop only");
}

#[actix_web::test]
async fn a_rolling_restart_keeps_a_moved_dnd_user_dnd_with_its_custom_status() {
    let cluster = Cluster::new(redis_or_skip!("rich_rolling_restart")).await;
    let a = cluster.node("a").await;
    let (alice, mut observer) = a.observer("alice").await;
    let mut b = cluster
        .process_with("b", &[("PRESENCE_GRACE_MS", "2000")])
        .await;
    let (bob, mut bob_tab) = tab_on(&b.address, "bob", None).await;
    bob_tab.send_text(DND).await;
    bob_tab.send_text(&set_custom("in a meeting")).await;
    let bob_dnd = shown("dnd", Some("in a meeting"), &["desktop"]);
    eventually_shown(&mut observer, "bob", &bob_dnd).await;

    let term = Instant::now();
    b.signal("TERM");
    assert_eq!(bob_tab.close_code().await, 1001);
    tokio::time::sleep(Duration::from_millis(250)).await; // the page's jitter
    let mut moved = carry(&bob, &a.address).socket().await;
    moved.snapshot().await;
    let status = b.exited(Duration::from_secs(6)).await;
    let exited = term.elapsed();
    assert!(status.is_some_and(|status| status.success()), "{status:?}");
    only_shown(&mut observer, "bob", &bob_dnd, Duration::from_secs(1)).await;
    alice_and_bob_shown_on_a_and_on_a_joining_node(&cluster, &alice, &a.address, bob_dnd).await;
    eprintln!("rich rolling restart: b exited after {exited:?}, bob stayed dnd");
}

#[actix_web::test]
async fn a_frozen_node_s_dnd_user_comes_back_dnd_with_its_custom_status() {
    let cluster = Cluster::new(redis_or_skip!("rich_frozen_node")).await;
    let a = cluster.node("a").await;
    let (alice, mut observer) = a.observer("alice").await;
    let b = cluster.process("b").await;
    let (_bob, mut bob_tab) = tab_on(&b.address, "bob", None).await;
    bob_tab.send_text(DND).await;
    bob_tab.send_text(&set_custom("deep work")).await;
    let bob_dnd = shown("dnd", Some("deep work"), &["desktop"]);
    eventually_shown(&mut observer, "bob", &bob_dnd).await;

    b.signal("STOP");
    until_shown(&mut observer, "bob", &offline(), &[]).await;
    a.wait_online(&["alice"]).await;
    b.signal("CONT");
    let resumed = Instant::now();
    until_shown(&mut observer, "bob", &bob_dnd, &[]).await;
    let back = resumed.elapsed();
    alice_and_bob_shown_on_a_and_on_a_joining_node(&cluster, &alice, &a.address, bob_dnd).await;
    eprintln!("rich frozen node: bob back dnd {back:?} after SIGCONT");
}

#[actix_web::test]
async fn after_redis_restarts_empty_every_node_shows_dnd_away_and_custom_statuses_as_before() {
    if redis_url("rich_redis_memory_loss").is_none() || !OwnRedis::available() {
        return;
    }
    let mut redis = OwnRedis::reserve();
    redis.start();
    let cluster = Cluster::new(redis.url()).await;
    let (a, b) = (cluster.process("a").await, cluster.process("b").await);
    let (alice, mut observer) = tab_on(&a.address, "alice", None).await;
    let (_bob, mut bob_tab) = tab_on(&b.address, "bob", None).await;
    bob_tab.send_text(DND).await;
    bob_tab.send_text(&set_custom("on call")).await;
    let (_carol, mut carol_tab) = tab_on(&a.address, "carol", None).await;
    carol_tab.send_text(IDLE).await;
    carol_tab.send_text(&set_custom("lunch")).await;
    let (_dave, mut dave_tab) = tab_on(&b.address, "dave", Some(PHONE)).await;
    dave_tab.send_text(&set_custom("commuting")).await;
    let everyone = [
        ("alice", shown("online", None, &["desktop"])),
        ("bob", shown("dnd", Some("on call"), &["desktop"])),
        ("carol", shown("away", Some("lunch"), &["desktop"])),
        ("dave", shown("online", Some("commuting"), &["mobile"])),
    ];
    for (user, expected) in &everyone[1..] {
        eventually_shown(&mut observer, user, expected).await;
    }
    for node in [&a.address, &b.address] {
        converged(&alice, node, &everyone).await;
    }

    redis.stop(); // kill -9: no persistence, every key gone
    redis.start();
    let back = Instant::now();
    // Both nodes have joined again (until then they show what they knew).
    cluster.wait_attending("carol", "a").await;
    cluster.wait_attending("bob", "b").await;
    let rejoined = back.elapsed();
    for node in [&a.address, &b.address] {
        converged(&alice, node, &everyone).await;
    }
    let healed = back.elapsed();
    assert!(healed < Duration::from_secs(10), "healed after {healed:?}");
    // Redis knows the statuses again: a node that joins now shows them.
    let c = cluster.process("c").await;
    converged(&alice, &c.address, &everyone).await;
    eprintln!(
        "rich Redis memory loss: both nodes joined {rejoined:?} and showed every status \
         {healed:?} after the restart"
    );
}

/// alice online on her desktop and bob as `bob_shown`, on node `a` and on
/// a node that joins the cluster now: its state comes from Redis alone.
async fn alice_and_bob_shown_on_a_and_on_a_joining_node(
    cluster: &Cluster,
    alice: &Browser,
    a: &str,
    bob_shown: Shown,
) {
    let alice_shown = shown("online", None, &["desktop"]);
    let everyone = [("alice", alice_shown), ("bob", bob_shown)];
    converged(alice, a, &everyone).await;
    let c = cluster.node("c").await;
    converged(alice, &c.address, &everyone).await;
}
