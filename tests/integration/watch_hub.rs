//! Watching (issue 15), with the hub driven directly by stand-in sessions:
//! a watcher gets news about whom it watches only, each watch is answered
//! with the current state, the counts are coalesced, and a socket that
//! never watches keeps the full feed.

use std::time::Duration;

use presence::{
    auth::Username,
    live::{
        hub::{Choice, UserSignedUp},
        protocol::ServerFrame,
        status::Manual,
    },
    testkit::{Seen, StandIn},
};

use crate::support::{self, hub::Fixture};

const GRACE: Duration = Duration::from_millis(200);
/// Longer than the hub's one-second counts tick.
const TICK: Duration = Duration::from_millis(1_300);

async fn hub_with(names: &[&str]) -> Fixture {
    support::hub::hub_with(names, GRACE).await
}

/// A socket of `name` that has seen its snapshot and its own arrival.
async fn settled(f: &Fixture, name: &str) -> StandIn {
    let mut socket = f.hub.connect(name, &format!("{name}-login")).await;
    socket.snapshot().await;
    assert_eq!(socket.presence().await, (name.to_owned(), true));
    socket
}

/// Waits until the hub has announced `names` online (sorted).
async fn announced(f: &Fixture, names: &[&str]) {
    for _ in 0..100 {
        if f.hub.online().await == names {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("never announced {names:?}");
}

fn pair(user: &str, status: &str) -> (String, String) {
    (user.to_owned(), status.to_owned())
}

#[actix_web::test]
async fn a_watcher_receives_presence_only_for_the_users_it_watches() {
    let f = hub_with(&["obs", "ann", "bob"]).await;
    let mut obs = settled(&f, "obs").await;
    obs.watch(&["ann"]).await;
    assert_eq!(obs.status().await, pair("ann", "offline"));

    let _bob = f.hub.connect("bob", "b1").await;
    announced(&f, &["bob", "obs"]).await;
    let ann = f.hub.connect("ann", "a1").await;
    // bob came first, and is not watched: ann's arrival is the next news.
    assert_eq!(obs.status().await, pair("ann", "online"));
    ann.set_active(false).await;
    assert_eq!(obs.status().await, pair("ann", "away"));
    let others: Vec<String> = obs
        .drain()
        .into_iter()
        .filter_map(|seen| match seen {
            Seen::Frame(ServerFrame::Presence { username, .. }, _) => Some(username),
            _ => None,
        })
        .collect();
    assert_eq!(others, Vec::<String>::new());
}

/// A page opened with `?watch` gets a snapshot of nobody, however many
/// are online, then the counts, and news only of whom it watches (and of
/// its own user).
#[actix_web::test]
async fn a_socket_that_watches_from_the_start_gets_a_snapshot_of_nobody() {
    let f = hub_with(&["obs", "ann", "bob"]).await;
    let ann = f.hub.connect("ann", "a1").await;
    announced(&f, &["ann"]).await;
    let mut obs = StandIn::connect_watching(f.hub.hub(), "obs", "o1").await;
    assert_eq!(obs.snapshot().await, Vec::<String>::new());
    assert_eq!(obs.counts().await, (1, 0, 0));
    obs.watch(&["ann"]).await;
    let _bob = f.hub.connect("bob", "b1").await;
    announced(&f, &["ann", "bob", "obs"]).await;
    ann.set_active(false).await;
    let mut heard = Vec::new();
    while heard.last() != Some(&pair("ann", "away")) {
        heard.push(obs.status().await);
    }
    // Its own arrival may come in between, once its row is written.
    let (about_ann, others): (Vec<_>, Vec<_>) =
        heard.into_iter().partition(|(user, _)| user == "ann");
    assert_eq!(about_ann, [pair("ann", "online"), pair("ann", "away")]);
    assert!(others.iter().all(|(user, _)| user == "obs"), "{others:?}");
}

/// New accounts are rare: every socket hears of them, watching or not, so
/// a page that lists the whole directory can add them.
#[actix_web::test]
async fn a_watcher_still_hears_of_a_new_account() {
    let f = hub_with(&["obs", "ann"]).await;
    let mut obs = settled(&f, "obs").await;
    obs.watch(&["ann"]).await;
    assert_eq!(obs.status().await, pair("ann", "offline"));
    f.hub.hub().tell(UserSignedUp {
        user: Username::parse("newbie").unwrap(),
    });
    loop {
        match obs.next().await {
            Seen::Frame(ServerFrame::UserAdded { username }, _) => {
                assert_eq!(username, "newbie");
                break;
            }
            Seen::Frame(ServerFrame::Counts { .. }, _) => {}
            other => panic!("expected the new account, got {other:?}"),
        }
    }
}

/// A tab that watches others still hears about its own user: do not
/// disturb chosen in another tab reaches it, as on the full feed.
#[actix_web::test]
async fn a_watching_tab_hears_its_own_users_status_set_in_another_tab() {
    let f = hub_with(&["ann", "bob"]).await;
    let mut watching = settled(&f, "ann").await;
    watching.watch(&["bob"]).await;
    assert_eq!(watching.status().await, pair("bob", "offline"));
    let mut other = f.hub.connect("ann", "ann-phone").await;
    other.snapshot().await;
    other.choose(Choice::Status(Manual::Dnd)).await;
    assert_eq!(watching.status().await, pair("ann", "dnd"));
    assert_eq!(other.status().await, pair("ann", "dnd"));
}

#[actix_web::test]
async fn a_new_watch_is_answered_with_the_current_state_of_the_newly_watched() {
    let f = hub_with(&["obs", "ann", "bob", "cid"]).await;
    let ann = f.hub.connect("ann", "a1").await;
    ann.set_active(false).await;
    let bob = f.hub.connect("bob", "b1").await;
    announced(&f, &["ann", "bob"]).await;
    bob.disconnect().await;
    announced(&f, &["ann"]).await;

    let mut obs = settled(&f, "obs").await;
    obs.watch(&["ann", "bob"]).await;
    assert_eq!(obs.status().await, pair("ann", "away"));
    match obs.frame().await.0 {
        ServerFrame::Presence {
            username,
            is_logged_in,
            status,
            last_seen_at,
            ..
        } => {
            assert_eq!((username.as_str(), is_logged_in), ("bob", false));
            assert_eq!(status, "offline");
            assert!(last_seen_at.is_some(), "bob's last seen time is known");
        }
        other => panic!("expected bob's presence, got {other:?}"),
    }
    // The first answer ends with the counts: obs online, ann away.
    assert!(matches!(
        obs.frame().await.0,
        ServerFrame::Counts {
            online: 1,
            away: 1,
            dnd: 0
        }
    ));

    // Scrolling on: only cid is new, and gets a frame.
    obs.watch(&["ann", "cid"]).await;
    assert_eq!(obs.status().await, pair("cid", "offline"));
    let _cid = f.hub.connect("cid", "c1").await;
    assert_eq!(obs.status().await, pair("cid", "online"));
}

#[actix_web::test]
async fn the_counts_are_coalesced_and_sent_only_when_they_change() {
    let f = hub_with(&["obs", "ann", "bob", "cid"]).await;
    let mut obs = settled(&f, "obs").await;
    obs.watch(&[]).await;
    assert_eq!(obs.counts().await, (1, 0, 0));
    // The first tick sends what the gate never sent yet.
    tokio::time::sleep(TICK).await;
    obs.drain();

    // A burst of four changes, well within a second.
    let ann = f.hub.connect("ann", "a1").await;
    let _bob = f.hub.connect("bob", "b1").await;
    let _cid = f.hub.connect("cid", "c1").await;
    announced(&f, &["ann", "bob", "cid", "obs"]).await;
    ann.set_active(false).await;

    let mut sent = vec![obs.counts().await];
    while sent.last() != Some(&(3, 1, 0)) {
        sent.push(obs.counts().await);
    }
    // At most one tick can fall inside the burst.
    assert!(sent.len() <= 2, "counts not coalesced: {sent:?}");
    // Nothing changes any more, so nothing more is sent.
    obs.assert_quiet(TICK * 2).await;
}

#[actix_web::test]
async fn a_socket_that_never_watches_gets_the_full_feed_and_no_counts() {
    let f = hub_with(&["obs", "seed", "ann", "bob"]).await;
    let mut obs = settled(&f, "obs").await;
    obs.watch(&["ann"]).await;
    assert_eq!(obs.counts().await, (1, 0, 0));
    let mut seed = settled(&f, "seed").await;

    let _ann = f.hub.connect("ann", "a1").await;
    let _bob = f.hub.connect("bob", "b1").await;
    assert_eq!(seed.presence().await, ("ann".into(), true));
    assert_eq!(seed.presence().await, ("bob".into(), true));
    tokio::time::sleep(TICK).await;
    let counts = seed
        .drain()
        .into_iter()
        .filter(|seen| matches!(seen, Seen::Frame(ServerFrame::Counts { .. }, _)))
        .count();
    assert_eq!(counts, 0, "a full-feed socket got counts");
    // The watcher, meanwhile, got the counts.
    while obs.counts().await != (4, 0, 0) {}
}
