//! The scripts themselves, on a real Redis: a profile outlives its user's
//! offline spell and comes back just before their attendance, and a join
//! republishes what its users chose after Redis lost everything. Without
//! this, a node that hears of a user coming back before it heard them go
//! (or that missed both) shows them as a plain "online".

use std::time::Duration;

use futures_util::StreamExt;
use presence::{
    auth::{Username, token},
    live::{
        change::Change,
        fanout::{bulletin::Bulletin, keys::Keys, scripts::Scripts, share::Share},
        status::{Attendance, Devices, Manual, Profile},
    },
};
use redis::aio::MultiplexedConnection;

use super::redis_or_skip;

fn dnd() -> Profile {
    Profile {
        manual: Manual::Dnd,
        custom: None,
    }
}

fn on_desktop(user: &Username) -> Change {
    Change {
        user: user.clone(),
        attendance: Some(Attendance {
            active: true,
            devices: Devices::from_bits(1),
        }),
    }
}

/// A connection, fresh keys, and the bulletins on their channel from now on.
async fn setup(
    url: String,
) -> (
    MultiplexedConnection,
    Keys,
    impl futures_util::Stream<Item = redis::Msg>,
) {
    let client = redis::Client::open(url.as_str()).expect("a Redis URL");
    let conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("Redis");
    let keys = Keys::new(&format!("test-{}", token::random(10)));
    let mut pubsub = client.get_async_pubsub().await.expect("pub/sub");
    pubsub.subscribe(keys.channel()).await.expect("subscribe");
    (conn, keys, pubsub.into_on_message())
}

/// The next bulletin on the channel.
async fn next(bulletins: &mut (impl futures_util::Stream<Item = redis::Msg> + Unpin)) -> Bulletin {
    let message = tokio::time::timeout(Duration::from_secs(5), bulletins.next())
        .await
        .expect("a bulletin within 5 s")
        .expect("subscribed");
    serde_json::from_slice(message.get_payload_bytes()).expect("a bulletin")
}

#[actix_web::test]
async fn a_profile_outlives_its_user_going_offline_and_comes_back_just_before_them() {
    let (mut conn, keys, bulletins) = setup(redis_or_skip!("kept_profile")).await;
    let mut bulletins = Box::pin(bulletins);
    let (a, b) = (Scripts::new(keys.clone(), "a"), Scripts::new(keys, "b"));
    let bob = Username::parse("bob").expect("a name");
    let text = serde_json::to_string(&Bulletin::profile(&bob, &dnd())).expect("JSON");
    b.changes(&mut conn, &[on_desktop(&bob)], 1)
        .await
        .expect("online");
    b.profile(&mut conn, &bob, &text, true)
        .await
        .expect("profile");
    b.changes(&mut conn, &[Change::went_offline(bob.clone())], 2)
        .await
        .expect("offline");
    for _ in 0..3 {
        next(&mut bulletins).await; // online, profile, offline
    }

    a.changes(&mut conn, &[on_desktop(&bob)], 3)
        .await
        .expect("back");
    let profile = next(&mut bulletins).await;
    assert_eq!(profile.read_profile(), Some((bob.clone(), dnd())));
    assert!(matches!(
        next(&mut bulletins).await,
        Bulletin::Presence { online: true, .. }
    ));
    let state = a.state(&mut conn).await.expect("state");
    assert_eq!(state.profiles, [text]);
}

#[actix_web::test]
async fn a_join_republishes_what_its_users_chose_when_redis_has_forgotten_it() {
    let (mut conn, keys, bulletins) = setup(redis_or_skip!("sync_profiles")).await;
    let mut bulletins = Box::pin(bulletins);
    let b = Scripts::new(keys, "b");
    let bob = Username::parse("bob").expect("a name");
    let share = Share::new(
        bob.clone(),
        on_desktop(&bob).attendance.expect("online"),
        &dnd(),
    )
    .expect("JSON");
    b.sync(&mut conn, &[share], 1).await.expect("sync");
    let profile = next(&mut bulletins).await;
    assert_eq!(profile.read_profile(), Some((bob, dnd())));
    assert!(matches!(
        next(&mut bulletins).await,
        Bulletin::Presence { online: true, .. }
    ));
    assert_eq!(b.state(&mut conn).await.expect("state").profiles.len(), 1);
}
