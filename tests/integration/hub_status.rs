//! Rich presence in the hub, driven with stand-in sessions: away only when
//! every connection is idle, back online on any activity, invisible users
//! leaking nowhere, and custom statuses expiring live.

use std::time::Duration;

use presence::{
    db,
    live::{
        hub::{Choice, JoinCluster, News},
        protocol::ServerFrame,
        status::{Device, Manual, Profile},
    },
    testkit::{PATIENCE, StandIn, TestHub},
};

use crate::support::statuses::{GRACE, Shown, ann_online, custom_status, next_of, observed, shown};

/// Long enough for a frame that should not come to have come.
const QUIET: Duration = Duration::from_millis(400);

#[actix_web::test]
async fn a_user_is_away_only_when_every_connection_is_idle() {
    let (f, mut observer) = observed().await;
    let tab1 = f.hub.connect("ann", "s1").await;
    let tab2 = f.hub.connect("ann", "s1").await;
    assert_eq!(
        next_of(&mut observer, "ann").await,
        shown("online", &["desktop"])
    );

    tab1.set_active(false).await;
    observer.assert_quiet(QUIET).await;
    tab2.set_active(false).await;
    assert_eq!(
        next_of(&mut observer, "ann").await,
        shown("away", &["desktop"])
    );
    assert!(f.hub.rows().await.contains(&"ann".to_owned()));
}

#[actix_web::test]
async fn any_activity_in_any_tab_brings_the_user_back_online_at_once() {
    let (f, mut observer) = observed().await;
    let desktop = f.hub.connect("ann", "s1").await;
    let phone =
        StandIn::connect_with(f.hub.hub(), "ann", "s2", Device::Mobile, Profile::default()).await;
    let both = ["desktop", "mobile"];
    assert_eq!(
        next_of(&mut observer, "ann").await,
        shown("online", &["desktop"])
    );
    assert_eq!(next_of(&mut observer, "ann").await, shown("online", &both));
    desktop.set_active(false).await;
    phone.set_active(false).await;
    assert_eq!(next_of(&mut observer, "ann").await, shown("away", &both));

    phone.set_active(true).await;
    assert_eq!(next_of(&mut observer, "ann").await, shown("online", &both));
    // Idle again, then the other tab.
    phone.set_active(false).await;
    assert_eq!(next_of(&mut observer, "ann").await, shown("away", &both));
    desktop.set_active(true).await;
    assert_eq!(next_of(&mut observer, "ann").await, shown("online", &both));
}

#[actix_web::test]
async fn closing_the_last_active_tab_while_an_idle_one_stays_makes_the_user_away() {
    let (f, mut observer) = observed().await;
    let active = f.hub.connect("ann", "s1").await;
    let idle = f.hub.connect("ann", "s1").await;
    assert_eq!(next_of(&mut observer, "ann").await.status, "online");
    idle.set_active(false).await;
    observer.assert_quiet(QUIET).await;

    active.disconnect().await;
    assert_eq!(
        next_of(&mut observer, "ann").await,
        shown("away", &["desktop"])
    );
    // Not offline after the grace period either: the idle tab is open.
    observer.assert_quiet(GRACE * 3).await;
    assert_eq!(f.hub.online().await, ["ann", "obs"]);
}

#[actix_web::test]
async fn do_not_disturb_reaches_everyone_and_the_users_other_tabs() {
    let (f, mut observer) = observed().await;
    let tab1 = f.hub.connect("ann", "s1").await;
    assert_eq!(next_of(&mut observer, "ann").await.status, "online");
    let mut tab2 = f.hub.connect("ann", "s1").await;
    assert!(tab2.snapshot().await.contains(&"ann".to_owned()));

    tab1.choose(Choice::Status(Manual::Dnd)).await;
    assert_eq!(
        next_of(&mut observer, "ann").await,
        shown("dnd", &["desktop"])
    );
    assert_eq!(next_of(&mut tab2, "ann").await, shown("dnd", &["desktop"]));
    // Idle or not, do not disturb stays.
    tab1.set_active(false).await;
    tab2.set_active(false).await;
    observer.assert_quiet(QUIET).await;
}

/// An invisible user is offline in every frame others get, in the
/// snapshot, in the `LoggedInUser`-based listing, and their coming and
/// going makes no frame at all (no timing to read); their own tabs see
/// that they are invisible.
#[actix_web::test]
async fn an_invisible_user_leaks_nowhere() {
    let (f, mut observer, mut tab) = ann_online().await;

    tab.choose(Choice::Status(Manual::Invisible)).await;
    let gone = observer.frame().await.0;
    let ServerFrame::Presence {
        username,
        is_logged_in,
        status,
        custom,
        devices,
        last_seen_at,
    } = gone
    else {
        panic!("expected a presence frame, got {gone:?}");
    };
    assert_eq!(
        (username.as_str(), is_logged_in, status.as_str()),
        ("ann", false, "offline")
    );
    assert!(custom.is_none() && devices.is_empty() && last_seen_at.is_some());
    assert_eq!(next_of(&mut tab, "ann").await.status, "offline");
    assert_eq!(
        next_of(&mut tab, "ann").await,
        shown("invisible", &["desktop"])
    );

    // Nothing they do shows: activity, a custom status, another device,
    // closing every tab, coming back.
    tab.set_active(false).await;
    tab.choose(custom_status("secret", None)).await;
    let phone =
        StandIn::connect_with(f.hub.hub(), "ann", "s2", Device::Mobile, Profile::default()).await;
    phone.disconnect().await;
    tab.disconnect().await;
    // Within the grace period, a tab whose request read the row before
    // the choice was written: it says "auto", and must not be believed.
    let back = f.hub.connect("ann", "s1").await;
    observer.assert_quiet(GRACE * 3).await;

    let mut late = f.hub.connect("obs", "o2").await;
    assert_eq!(late.snapshot().await, ["obs"]);
    assert_eq!(f.hub.online().await, ["obs"]);
    assert_eq!(f.hub.rows().await, ["obs"]);

    // Visible again: everyone sees them at once.
    back.choose(Choice::Status(Manual::Auto)).await;
    let seen = next_of(&mut observer, "ann").await;
    assert_eq!(seen.status, "online");
    assert_eq!(seen.custom, Some(("secret".into(), None)));
}

/// A user who was invisible when they connected never shows up at all.
#[actix_web::test]
async fn a_user_invisible_from_the_start_makes_no_frame_for_others() {
    let (f, mut observer) = observed().await;
    let invisible = Profile {
        manual: Manual::Invisible,
        custom: None,
    };
    let mut tab = StandIn::connect_with(f.hub.hub(), "ann", "s1", Device::Desktop, invisible).await;
    assert!(!tab.snapshot().await.contains(&"ann".to_owned()));
    assert_eq!(next_of(&mut tab, "ann").await.status, "invisible");
    tab.disconnect().await;
    observer.assert_quiet(GRACE * 3).await;
    assert_eq!(f.hub.rows().await, ["obs"]);
}

#[actix_web::test]
async fn a_custom_status_expires_live_on_every_page() {
    let (f, mut observer, mut tab) = ann_online().await;

    let until = db::now_millis() + 1_500;
    tab.choose(custom_status("🍜 lunch", Some(until))).await;
    let with = next_of(&mut observer, "ann").await;
    assert_eq!(with.custom, Some(("🍜 lunch".into(), Some(until))));
    assert_eq!(next_of(&mut tab, "ann").await.custom, with.custom);
    let mut late = f.hub.connect("obs", "o2").await;
    match late.frame().await.0 {
        ServerFrame::Snapshot { users, .. } => {
            let custom = users["ann"].custom.as_ref().expect("in the snapshot");
            assert_eq!(custom.until, Some(until));
        }
        other => panic!("expected a snapshot, got {other:?}"),
    }

    // It goes by itself: the next frame says so, to everyone.
    let without = next_of(&mut observer, "ann").await;
    assert_eq!(without, shown("online", &["desktop"]));
    assert!(db::now_millis() >= until);
    assert_eq!(next_of(&mut tab, "ann").await.custom, None);
}

/// Two choices in one breath, the second made before the first is saved:
/// the second builds on the first.
#[actix_web::test]
async fn a_choice_made_before_the_previous_one_is_saved_keeps_it() {
    let (f, mut observer) = observed().await;
    let tab = f.hub.connect("ann", "s1").await;
    assert_eq!(next_of(&mut observer, "ann").await.status, "online");

    // Both reach the hub's mailbox before the first write comes back.
    tokio::join!(
        tab.choose(Choice::Status(Manual::Dnd)),
        tab.choose(custom_status("focus", None)),
    );
    let both = Shown {
        status: "dnd".into(),
        custom: Some(("focus".into(), None)),
        devices: vec!["desktop".into()],
    };
    while next_of(&mut observer, "ann").await != both {}
    observer.assert_quiet(QUIET).await;
    let row = presence::users::find_by_name(f.hub.db(), "ann")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.manual_status, "dnd");
    assert_eq!(row.custom_text.as_deref(), Some("focus"));
}

/// In a cluster a choice is announced only when Redis sends it back. A
/// choice made after the previous one was saved, but before Redis
/// answered, still builds on it (it once lost the do not disturb).
#[actix_web::test]
async fn in_a_cluster_a_choice_made_while_redis_holds_the_previous_one_keeps_it() {
    let (hub, mut redis) = TestHub::clustered(GRACE).await;
    for user in ["ann", "obs"] {
        hub.add_user(user).await;
    }
    let mut observer = hub.connect("obs", "o1").await;
    let tab = hub.connect("ann", "s1").await;
    let chose = |custom: bool| move |news: &News| matches!(news, News::Profile { profile, .. } if profile.custom.is_some() == custom);

    tab.choose(Choice::Status(Manual::Dnd)).await;
    redis
        .wait_for(PATIENCE, chose(false))
        .await
        .expect("dnd saved");
    tab.choose(custom_status("focus", None)).await;
    let Some(News::Profile { profile, .. }) = redis.wait_for(PATIENCE, chose(true)).await else {
        panic!("the custom status was never saved");
    };
    assert_eq!(profile.manual, Manual::Dnd);
    // A link that joins again now republishes that choice, not the last
    // one announced.
    let shares = hub.hub().addr().send(JoinCluster { epoch: 2 }).await;
    let shares = shares.expect("the hub is running");
    assert!(
        shares
            .iter()
            .any(|(user, _, shared)| user.as_str() == "ann" && *shared == profile)
    );

    // Once Redis answers, everyone sees both.
    redis.release();
    let both = Shown {
        status: "dnd".into(),
        custom: Some(("focus".into(), None)),
        devices: vec!["desktop".into()],
    };
    while next_of(&mut observer, "ann").await != both {}
}
