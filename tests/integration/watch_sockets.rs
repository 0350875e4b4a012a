//! Watching (issue 15) over real sockets: `watch` frames, their answers,
//! the counts, refusals, and a seed-format client that never watches.

use presence::live::protocol::ServerFrame;

use crate::support::{TestSocket, spawn_app};

/// The next `presence` frame as `(username, status)`; counts and new
/// accounts (which every socket hears of) are skipped.
async fn next_status(socket: &mut TestSocket) -> (String, String) {
    loop {
        match socket.frame().await {
            ServerFrame::Presence {
                username, status, ..
            } => return (username, status),
            ServerFrame::Counts { .. } | ServerFrame::UserAdded { .. } => continue,
            other => panic!("expected a presence frame, got {other:?}"),
        }
    }
}

/// The next `counts` frame; presence frames and new accounts are skipped.
async fn next_counts(socket: &mut TestSocket) -> (usize, usize, usize) {
    loop {
        match socket.frame().await {
            ServerFrame::Counts { online, away, dnd } => return (online, away, dnd),
            ServerFrame::Presence { .. } | ServerFrame::UserAdded { .. } => continue,
            other => panic!("expected counts, got {other:?}"),
        }
    }
}

/// The presence frames up to the one that shows `user` as `status`, as
/// `(username, status)`; counts are skipped.
async fn until_status(socket: &mut TestSocket, user: &str, status: &str) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    while seen.last() != Some(&pair(user, status)) {
        seen.push(next_status(socket).await);
    }
    seen
}

fn pair(user: &str, status: &str) -> (String, String) {
    (user.to_owned(), status.to_owned())
}

#[actix_web::test]
async fn a_watching_page_gets_its_users_only_and_a_seed_client_gets_everything() {
    let app = spawn_app().await;
    let (_obs, mut watcher) = app.observer("obs").await;
    let (_seed, mut seed) = app.observer("seed").await;
    // The watcher saw seed arrive on the full feed.
    assert!(watcher.presence_of("seed").await);
    watcher
        .send_text(r#"{"type":"watch","usernames":["ann"]}"#)
        .await;
    assert_eq!(next_status(&mut watcher).await, pair("ann", "offline"));
    assert_eq!(next_counts(&mut watcher).await, (2, 0, 0));

    let bob = app.logged_in("bob").await;
    let _bob_page = bob.socket().await;
    assert!(seed.presence_of("bob").await);
    let ann = app.logged_in("ann").await;
    let mut ann_page = ann.socket().await;
    ann_page.snapshot().await;
    assert!(seed.presence_of("ann").await);
    ann_page
        .send_text(r#"{"type":"activity","state":"idle"}"#)
        .await;
    // bob came first and is not watched: the watcher hears of ann only.
    let heard = until_status(&mut watcher, "ann", "away").await;
    assert!(heard.iter().all(|(user, _)| user == "ann"), "{heard:?}");
    // The seed client reads every change, with the seed's keys.
    let heard = until_status(&mut seed, "ann", "away").await;
    assert!(heard.iter().all(|(user, _)| user == "ann"), "{heard:?}");
    while next_counts(&mut watcher).await != (3, 1, 0) {}
}

#[actix_web::test]
async fn a_page_opened_with_watch_gets_a_snapshot_of_nobody_then_the_counts() {
    let app = spawn_app().await;
    let (_ann, _ann_page) = app.observer("ann").await;
    let obs = app.logged_in("obs").await;
    // The login's own announcement first: a page hears about its own user
    // even when it does not watch them, and that frame is not this test's.
    app.wait_online(&["ann", "obs"]).await;
    let mut page = TestSocket::open_watching(&obs).await;
    match page.frame().await {
        ServerFrame::Snapshot {
            online, watching, ..
        } => {
            assert!(online.is_empty(), "named {online:?}");
            assert!(watching);
        }
        other => panic!("expected the snapshot first, got {other:?}"),
    }
    let (online, away, dnd) = next_counts(&mut page).await;
    assert!(
        online >= 1 && away == 0 && dnd == 0,
        "{online} {away} {dnd}"
    );
    page.send_text(r#"{"type":"watch","usernames":["ann"]}"#)
        .await;
    assert_eq!(next_status(&mut page).await, pair("ann", "online"));
}

#[actix_web::test]
async fn each_watch_is_answered_with_the_state_of_the_newly_watched_users() {
    let app = spawn_app().await;
    let ann = app.logged_in("ann").await;
    let mut ann_page = ann.socket().await;
    ann_page.snapshot().await;
    ann_page
        .send_text(r#"{"type":"set_status","status":"dnd"}"#)
        .await;
    until_status(&mut ann_page, "ann", "dnd").await;
    let (_obs, mut watcher) = app.observer("obs").await;
    app.logged_in("cid").await;
    watcher.presence_of("cid").await;

    watcher
        .send_text(r#"{"type":"watch","usernames":["ann","bob"]}"#)
        .await;
    assert_eq!(next_status(&mut watcher).await, pair("ann", "dnd"));
    assert_eq!(next_status(&mut watcher).await, pair("bob", "offline"));
    assert_eq!(next_counts(&mut watcher).await, (2, 0, 1));

    watcher
        .send_text(r#"{"type":"watch","usernames":["ann","cid"]}"#)
        .await;
    assert_eq!(next_status(&mut watcher).await, pair("cid", "online"));
}

#[actix_web::test]
async fn bad_watch_frames_get_errors_and_change_nothing() {
    let app = spawn_app().await;
    let (_obs, mut page) = app.observer("obs").await;
    let too_many: Vec<String> = (0..501).map(|i| format!("u{i}")).collect();
    let too_many = serde_json::json!({"type": "watch", "usernames": too_many}).to_string();
    let refusals = [
        (r#"{"type":"watch","usernames":"ann"}"#, "a list of names"),
        (
            r#"{"type":"watch","usernames":["ann",1]}"#,
            "valid usernames",
        ),
        (
            r#"{"type":"watch","usernames":["<ann>"]}"#,
            "valid usernames",
        ),
        (too_many.as_str(), "at most 500"),
    ];
    for (text, why) in refusals {
        page.send_text(text).await;
        match page.frame().await {
            ServerFrame::Error { reason } => assert!(reason.contains(why), "{reason}"),
            other => panic!("expected an error for {text:.60}, got {other:?}"),
        }
    }
    // Still on the full feed.
    app.logged_in("bob").await;
    assert!(page.presence_of("bob").await);
}
