//! Rich statuses through the cluster's failures: a node killed with
//! `kill -9`, a rolling restart, a frozen node and Redis restarting empty
//! show do not disturb, away and custom statuses as they were, never as a
//! plain "online". Each test watches through a real socket on another node.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use presence::live::protocol::ServerFrame;

use super::{Cluster, carry, redis_or_skip};
use crate::support::{
    Browser, TestSocket,
    services::{OwnRedis, redis_url},
};

const DND: &str = r#"{"type":"set_status","status":"dnd"}"#;
const IDLE: &str = r#"{"type":"activity","state":"idle"}"#;
const PHONE: &str = "Mozilla/5.0 (Linux; Android 14) Mobile";

/// A custom status without expiry, as a page sets it.
fn set_custom(text: &str) -> String {
    format!(r#"{{"type":"set_custom","text":"{text}","until":null}}"#)
}

/// What others are shown of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    status: String,
    custom: Option<String>,
    devices: Vec<String>,
}

fn shown(status: &str, custom: Option<&str>, devices: &[&str]) -> Shown {
    Shown {
        status: status.to_owned(),
        custom: custom.map(str::to_owned),
        devices: devices.iter().map(|each| (*each).to_owned()).collect(),
    }
}

fn offline() -> Shown {
    shown("offline", None, &[])
}

/// The user and what they are shown as, for a presence frame.
fn read(frame: ServerFrame) -> Option<(String, Shown)> {
    let ServerFrame::Presence {
        username,
        status,
        custom,
        devices,
        ..
    } = frame
    else {
        return None;
    };
    let custom = custom.map(|custom| custom.text);
    Some((
        username,
        Shown {
            status,
            custom,
            devices,
        },
    ))
}

/// Reads presence frames until `user` is shown as `expected`; every frame
/// about `user` before must be one of `allowed`.
async fn until_shown(socket: &mut TestSocket, user: &str, expected: &Shown, allowed: &[Shown]) {
    until_all_shown(socket, &[(user, expected.clone(), allowed.to_vec())]).await;
}

/// [`until_shown`] for several users at once, in any order: until each
/// `(user, expected, allowed)` was shown as `expected`.
async fn until_all_shown(socket: &mut TestSocket, users: &[(&str, Shown, Vec<Shown>)]) {
    let mut waiting: Vec<&str> = users.iter().map(|(user, ..)| *user).collect();
    while !waiting.is_empty() {
        let Some((name, seen)) = read(socket.frame().await) else {
            continue;
        };
        let Some((user, expected, allowed)) = users.iter().find(|(user, ..)| *user == name) else {
            continue;
        };
        if &seen == expected {
            waiting.retain(|each| each != user);
        } else {
            assert!(
                allowed.contains(&seen) && waiting.contains(user),
                "{user} was shown as {seen:?}"
            );
        }
    }
}

/// Reads presence frames until `user` is shown as `expected`, whatever
/// came before (setting a test up).
async fn eventually_shown(socket: &mut TestSocket, user: &str, expected: &Shown) {
    loop {
        if let Some((name, seen)) = read(socket.frame().await)
            && name == user
            && &seen == expected
        {
            return;
        }
    }
}

/// Asserts that every frame about `user` within `quiet` shows `expected`.
async fn only_shown(socket: &mut TestSocket, user: &str, expected: &Shown, quiet: Duration) {
    let deadline = Instant::now() + quiet;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(frame) = tokio::time::timeout(left, socket.frame()).await else {
            return;
        };
        if let Some((name, seen)) = read(frame)
            && name == user
        {
            assert_eq!(&seen, expected, "{user} flapped");
        }
    }
}

/// What a fresh socket of `login` on `address` shows of everyone online.
async fn snapshot(login: &Browser, address: &str) -> BTreeMap<String, Shown> {
    let mut socket = carry(login, address).socket().await;
    match socket.frame().await {
        ServerFrame::Snapshot { users, .. } => users
            .into_iter()
            .map(|(user, each)| {
                let custom = each.custom.map(|custom| custom.text);
                (
                    user,
                    Shown {
                        status: each.status,
                        custom,
                        devices: each.devices,
                    },
                )
            })
            .collect(),
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

/// Waits until a fresh socket on `address` shows exactly `expected`;
/// returns how long that took.
async fn converged(login: &Browser, address: &str, expected: &[(&str, Shown)]) -> Duration {
    let expected: BTreeMap<String, Shown> = expected
        .iter()
        .map(|(user, each)| ((*user).to_owned(), each.clone()))
        .collect();
    let started = Instant::now();
    loop {
        let seen = snapshot(login, address).await;
        if seen == expected {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{address} shows {seen:?}, not {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs `name` up on `address` and opens a tab there, from a phone if
/// `agent` says so.
async fn tab_on(address: &str, name: &str, agent: Option<&str>) -> (Browser, TestSocket) {
    let browser = Browser::new(address);
    browser.sign_up_and_log_in(name).await;
    let mut tab = TestSocket::open_as(&browser, None, agent)
        .await
        .expect("upgrade");
    tab.snapshot().await;
    (browser, tab)
}

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
    let alice_shown = shown("online", None, &["desktop"]);
    let everyone = [("alice", alice_shown), ("bob", bob_dnd)];
    converged(&alice, &a.address, &everyone).await;
    // A node that joins afterwards shows the same.
    let c = cluster.node("c").await;
    converged(&alice, &c.address, &everyone).await;
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
    let alice_shown = shown("online", None, &["desktop"]);
    let everyone = [("alice", alice_shown), ("bob", bob_dnd)];
    converged(&alice, &a.address, &everyone).await;
    // The profile is back in Redis too: a node joining now shows it.
    let c = cluster.node("c").await;
    converged(&alice, &c.address, &everyone).await;
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
