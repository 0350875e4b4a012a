//! The hub driven directly, with the test kit's stand-ins in place of
//! sessions.

use std::time::Duration;

use presence::{
    live::{
        hub::{Choice, Shutdown},
        protocol::ServerFrame,
        session::CloseReason,
        status::Manual,
    },
    testkit::{Seen, StandIn},
    users,
};

use crate::support::hub::{Fixture, hub_with};

const GRACE: Duration = Duration::from_millis(200);

/// An observer socket of "obs" that has seen its own arrival.
async fn watching(f: &Fixture) -> StandIn {
    let mut observer = f.hub.connect("obs", "o1").await;
    assert_eq!(observer.snapshot().await, Vec::<String>::new());
    assert_eq!(observer.presence().await, ("obs".into(), true));
    observer
}

#[actix_web::test]
async fn the_first_connection_announces_the_user_and_a_second_does_not() {
    let f = hub_with(&["ann", "obs"], GRACE).await;
    let mut observer = f.hub.connect("obs", "o1").await;
    assert_eq!(observer.snapshot().await, Vec::<String>::new());
    assert_eq!(observer.presence().await, ("obs".into(), true));

    let _tab1 = f.hub.connect("ann", "s1").await;
    assert_eq!(observer.presence().await, ("ann".into(), true));
    let _tab2 = f.hub.connect("ann", "s1").await;
    observer.assert_quiet(GRACE * 2).await;
    assert_eq!(f.hub.rows().await, ["ann", "obs"]);
}

#[actix_web::test]
async fn closing_one_of_two_tabs_keeps_the_user_online() {
    let f = hub_with(&["ann", "obs"], GRACE).await;
    let mut observer = watching(&f).await;
    let tab1 = f.hub.connect("ann", "s1").await;
    let _tab2 = f.hub.connect("ann", "s1").await;
    assert_eq!(observer.presence().await, ("ann".into(), true));

    tab1.disconnect().await;
    observer.assert_quiet(GRACE * 3).await;
    assert!(f.hub.online().await.contains(&"ann".to_owned()));
}

#[actix_web::test]
async fn the_last_close_takes_the_user_offline_after_the_grace_period() {
    let f = hub_with(&["ann", "obs"], GRACE).await;
    let mut observer = watching(&f).await;
    let tab = f.hub.connect("ann", "s1").await;
    assert_eq!(observer.presence().await, ("ann".into(), true));

    let closed_at = std::time::Instant::now();
    tab.disconnect().await;
    assert_eq!(observer.presence().await, ("ann".into(), false));
    assert!(
        closed_at.elapsed() >= GRACE,
        "offline came before the grace period"
    );
    assert_eq!(f.hub.rows().await, ["obs"]);
}

#[actix_web::test]
async fn reconnecting_inside_the_grace_period_sends_no_offline() {
    let f = hub_with(&["ann", "obs"], GRACE).await;
    let mut observer = watching(&f).await;
    let tab = f.hub.connect("ann", "s1").await;
    assert_eq!(observer.presence().await, ("ann".into(), true));

    tab.disconnect().await;
    tokio::time::sleep(GRACE / 2).await;
    let _reloaded = f.hub.connect("ann", "s1").await;
    observer.assert_quiet(GRACE * 3).await;
    assert!(f.hub.online().await.contains(&"ann".to_owned()));
}

#[actix_web::test]
async fn a_login_announces_the_user_before_any_socket_and_expires_without_one() {
    let f = hub_with(&["ann", "obs"], GRACE).await;
    let mut observer = watching(&f).await;

    f.hub.log_in("ann", "s1").await;
    assert_eq!(observer.presence().await, ("ann".into(), true));
    // No page ever opened a socket: the login's hold runs out.
    assert_eq!(observer.presence().await, ("ann".into(), false));
}

#[actix_web::test]
async fn logout_closes_that_sessions_sockets_only() {
    let f = hub_with(&["ann", "obs"], GRACE).await;
    let mut observer = watching(&f).await;
    let mut laptop = f.hub.connect("ann", "laptop").await;
    let mut phone = f.hub.connect("ann", "phone").await;
    assert_eq!(observer.presence().await, ("ann".into(), true));
    laptop.drain();
    phone.drain();

    f.hub.log_out("ann", "laptop").await;
    assert!(matches!(
        laptop.next().await,
        Seen::Closed(CloseReason::LoggedOut)
    ));
    phone.assert_quiet(GRACE * 2).await;
    observer.assert_quiet(Duration::ZERO).await;
    assert!(f.hub.online().await.contains(&"ann".to_owned()));

    f.hub.log_out("ann", "phone").await;
    assert!(matches!(
        phone.next().await,
        Seen::Closed(CloseReason::LoggedOut)
    ));
    // Offline at once, without waiting for a grace period.
    let started = std::time::Instant::now();
    assert_eq!(observer.presence().await, ("ann".into(), false));
    assert!(started.elapsed() < GRACE);
}

#[actix_web::test]
async fn an_event_is_serialized_once_and_shared_by_every_socket() {
    let f = hub_with(&["ann", "obs1", "obs2"], GRACE).await;
    let mut one = f.hub.connect("obs1", "a").await;
    let mut two = f.hub.connect("obs2", "b").await;
    one.snapshot().await;
    two.snapshot().await;
    let _ann = f.hub.connect("ann", "c").await;
    let find = |probe: &mut StandIn| {
        probe.drain().into_iter().find_map(|seen| match seen {
            Seen::Frame(ServerFrame::Presence { username, .. }, raw) if username == "ann" => {
                Some(raw)
            }
            _ => None,
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (a, b) = (
        find(&mut one).expect("one saw ann"),
        find(&mut two).expect("two saw ann"),
    );
    assert_eq!(
        a.as_str().as_ptr(),
        b.as_str().as_ptr(),
        "each socket got its own copy"
    );
}

/// Many users connect and disconnect from concurrent tasks while observers
/// join at random moments. Every observer's snapshot plus the events after
/// it must add up to the hub's final online set and to the rows.
#[actix_web::test]
async fn the_snapshot_is_correct_under_interleavings() {
    let names: Vec<String> = (0..12).map(|i| format!("u{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let f = hub_with(&refs, Duration::from_millis(20)).await;

    let mut workers = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let hub = f.hub.hub().clone();
        let name = name.clone();
        workers.push(actix_web::rt::spawn(async move {
            let mut tabs = Vec::new();
            for round in 0..20u64 {
                let pick = (i as u64 * 7 + round * 13) % 5;
                if pick < 2 || tabs.is_empty() {
                    tabs.push(StandIn::connect(&hub, &name, "s").await);
                } else if let Some(tab) = tabs.pop() {
                    tab.disconnect().await;
                }
                tokio::time::sleep(Duration::from_millis(pick * 3)).await;
            }
            // Users with an even index end online, the others offline.
            if i % 2 == 0 && tabs.is_empty() {
                tabs.push(StandIn::connect(&hub, &name, "s").await);
            }
            if i % 2 == 1 {
                for tab in tabs.drain(..) {
                    tab.disconnect().await;
                }
            }
            tabs
        }));
    }
    let mut observers = Vec::new();
    for k in 0..6 {
        tokio::time::sleep(Duration::from_millis(7 * k)).await;
        let mut probe = f.hub.connect("u0", &format!("obs{k}")).await;
        let snapshot = probe.snapshot().await;
        observers.push((probe, snapshot));
    }
    let mut kept = Vec::new();
    for worker in workers {
        kept.push(worker.await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let expected: Vec<String> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, n)| n.clone())
        .collect();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(f.hub.online().await, expected_sorted);
    assert_eq!(f.hub.rows().await, expected_sorted);
    for (mut probe, snapshot) in observers {
        let mut state: std::collections::BTreeSet<String> = snapshot.into_iter().collect();
        for seen in probe.drain() {
            if let Seen::Frame(
                ServerFrame::Presence {
                    username,
                    is_logged_in,
                    ..
                },
                _,
            ) = seen
            {
                if is_logged_in {
                    assert!(
                        state.insert(username.clone()),
                        "{username} announced online twice"
                    );
                } else {
                    assert!(
                        state.remove(&username),
                        "{username} announced offline while offline"
                    );
                }
            }
        }
        assert_eq!(state.into_iter().collect::<Vec<_>>(), expected_sorted);
    }
    drop(kept);
}

#[actix_web::test]
async fn a_socket_upgraded_just_before_its_logout_is_turned_away() {
    let f = hub_with(&["ann", "obs"], GRACE).await;
    let mut observer = watching(&f).await;
    f.hub.log_in("ann", "s1").await;
    assert_eq!(observer.presence().await, ("ann".into(), true));
    f.hub.log_out("ann", "s1").await;
    assert_eq!(observer.presence().await, ("ann".into(), false));

    // Its Connect reaches the hub after the logout.
    let mut late = f.hub.connect("ann", "s1").await;
    assert_eq!(late.closed().await, CloseReason::LoggedOut);
    observer.assert_quiet(GRACE * 2).await;
    assert!(!f.hub.online().await.contains(&"ann".to_owned()));
}

#[actix_web::test]
async fn a_session_that_died_without_a_goodbye_does_not_keep_its_user_online() {
    let f = hub_with(&["ann", "bob", "obs"], GRACE).await;
    let mut observer = watching(&f).await;
    let tab = f.hub.connect("ann", "s1").await;
    assert_eq!(observer.presence().await, ("ann".into(), true));
    tab.vanish().await;

    // The next delivery finds ann's session gone.
    let _bob = f.hub.connect("bob", "s2").await;
    assert_eq!(observer.presence().await, ("bob".into(), true));
    assert_eq!(observer.presence().await, ("ann".into(), false));
}

/// Choices made just before a shutdown are on the users' rows once it is
/// done: the hub stops the profile writer too, and waits for it.
#[actix_web::test]
async fn choices_made_just_before_shutdown_are_written_before_it_ends() {
    let names: Vec<String> = (0..20).map(|i| format!("u{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let f = hub_with(&names, GRACE).await;
    let mut tabs = Vec::new();
    for name in &names {
        let tab = f.hub.connect(name, &format!("{name}-login")).await;
        tab.choose(Choice::Status(Manual::Dnd)).await;
        tabs.push(tab);
    }
    f.hub
        .hub()
        .addr()
        .send(Shutdown)
        .await
        .expect("the hub answers");
    for name in &names {
        let row = users::find_by_name(f.hub.db(), name)
            .await
            .expect("the users row")
            .expect("the account");
        assert_eq!(users::profile_of(&row).manual, Manual::Dnd, "{name}");
    }
}
