//! Rich presence over real sockets: every client frame, good and bad, the
//! frame budget, who a frame may change, a user's other tabs, statuses
//! across a restart, devices from the `User-Agent`, and an invisible user
//! on every surface (frames, `/`, `/api/users`, the count).

use std::time::Duration;

use presence::{
    db::now_millis,
    live::protocol::{Refused, ServerFrame},
    users,
};
use serde_json::Value;

use crate::{
    directory::json,
    support::{
        Browser, PASSWORD, TestSocket,
        app::{spawn_on, test_config},
        browser::status_in,
        db::TestDb,
        spawn_app,
    },
};

/// Long enough for a frame that should not come to have come.
const QUIET: Duration = Duration::from_millis(500);
/// Between two client frames: well within the budget of 5 a second.
const PACE: Duration = Duration::from_millis(150);

const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) \
                     AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
const LAPTOP: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 \
                      (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

/// What a presence frame says: status, custom text and expiry, devices.
#[derive(Debug, PartialEq, Eq)]
struct Shown {
    status: String,
    custom: Option<(String, Option<i64>)>,
    devices: Vec<String>,
    last_seen_at: Option<i64>,
}

/// The next presence frame about `user` on `socket`.
async fn next_of(socket: &mut TestSocket, user: &str) -> Shown {
    match socket.presence_frame_of(user).await {
        ServerFrame::Presence {
            is_logged_in,
            status,
            custom,
            devices,
            last_seen_at,
            ..
        } => {
            assert_eq!(
                is_logged_in,
                matches!(status.as_str(), "online" | "away" | "dnd")
            );
            Shown {
                status,
                custom: custom.map(|c| (c.text, c.until)),
                devices,
                last_seen_at,
            }
        }
        other => unreachable!("{other:?}"),
    }
}

/// The status of `user` in the next presence frame about them.
async fn status_of(socket: &mut TestSocket, user: &str) -> String {
    next_of(socket, user).await.status
}

/// Presence frames about `user` until one has `devices`.
async fn until_devices(socket: &mut TestSocket, user: &str, devices: &[&str]) {
    loop {
        if next_of(socket, user).await.devices == devices {
            return;
        }
    }
}

/// `user` on one page of `/api/users`.
async fn api_user(browser: &Browser, user: &str) -> Value {
    let page = json(browser, &format!("/api/users?q={user}")).await;
    page["users"]
        .as_array()
        .and_then(|users| users.iter().find(|u| u["username"] == user))
        .cloned()
        .unwrap_or_else(|| panic!("{user} is not listed"))
}

/// The number in the page's online count.
fn online_count(page: &str) -> u32 {
    let marker = r#"<span id="online-count">"#;
    let start = page.find(marker).expect("the count") + marker.len();
    let end = page[start..].find('<').expect("the count's end") + start;
    page[start..end].parse().expect("a number")
}

/// The `<li>` of `user` in a rendered list.
fn item_of<'a>(page: &'a str, user: &str) -> &'a str {
    let start = page
        .find(&format!(r#"<li class="user" data-username="{user}""#))
        .unwrap_or_else(|| panic!("{user} is not listed"));
    let end = page[start..].find("</li>").expect("the item's end") + start;
    &page[start..end]
}

/// Alice watching, and bob with one open tab she has seen arrive.
async fn alice_and_bob(
    app: &crate::support::app::TestApp,
) -> (Browser, TestSocket, Browser, TestSocket) {
    let (alice, mut watch) = app.observer("alice").await;
    let bob = app.logged_in("bob").await;
    let tab = bob.socket().await;
    assert_eq!(status_of(&mut watch, "bob").await, "online");
    (alice, watch, bob, tab)
}

#[actix_web::test]
async fn every_bad_client_frame_gets_its_reason_back_and_changes_nothing() {
    let app = spawn_app().await;
    let (alice, mut watch, _bob, mut tab) = alice_and_bob(&app).await;
    let too_long = format!(r#"{{"type":"set_custom","text":"{}"}}"#, "a".repeat(101));
    let far = now_millis() + 2 * 366 * 24 * 3600 * 1000;
    let far = format!(r#"{{"type":"set_custom","text":"lunch","until":{far}}}"#);
    let bad = [
        ("not json", Refused::Unknown),
        (r#"{"type":"shout"}"#, Refused::Unknown),
        (r#"{"type":"activity"}"#, Refused::Unknown),
        (
            r#"{"type":"activity","state":"asleep"}"#,
            Refused::BadActivity,
        ),
        (
            r#"{"type":"set_status","status":"busy"}"#,
            Refused::BadStatus,
        ),
        (
            r#"{"type":"set_status","status":"offline"}"#,
            Refused::BadStatus,
        ),
        (
            r#"{"type":"set_custom","text":"<script>x</script>"}"#,
            Refused::BadText,
        ),
        (
            r#"{"type":"set_custom","text":"a\u0007b"}"#,
            Refused::BadText,
        ),
        (too_long.as_str(), Refused::BadText),
        (
            r#"{"type":"set_custom","text":"lunch","until":1}"#,
            Refused::BadExpiry,
        ),
        (far.as_str(), Refused::BadExpiry),
        (
            r#"{"type":"set_custom","text":"lunch","until":"soon"}"#,
            Refused::Unknown,
        ),
    ];
    for (frame, refused) in bad {
        tab.send_text(frame).await;
        let reason = tab.error_reason().await;
        assert_eq!(reason, refused.to_string(), "{frame}");
        assert!(!reason.contains("script"), "the reason repeats the input");
        tokio::time::sleep(PACE).await;
    }
    watch.assert_no_presence_of("bob", QUIET).await;
    let listed = api_user(&alice, "bob").await;
    assert_eq!(listed["status"], "online");
    assert!(listed.get("custom").is_none());
}

#[actix_web::test]
async fn every_good_client_frame_changes_its_users_status_for_everyone() {
    let app = spawn_app().await;
    let (alice, mut watch, _bob, mut tab) = alice_and_bob(&app).await;
    let until = now_millis() + 3_600_000;
    let custom = format!(r#"{{"type":"set_custom","text":"🍜 lunch","until":{until}}}"#);
    let steps = [
        (r#"{"type":"activity","state":"idle"}"#, "away", None),
        (r#"{"type":"activity","state":"active"}"#, "online", None),
        (r#"{"type":"set_status","status":"dnd"}"#, "dnd", None),
        (
            custom.as_str(),
            "dnd",
            Some(("🍜 lunch".to_owned(), Some(until))),
        ),
        (r#"{"type":"set_custom","text":null}"#, "dnd", None),
        (
            r#"{"type":"set_custom","text":"focus","until":null}"#,
            "dnd",
            Some(("focus".to_owned(), None)),
        ),
        (r#"{"type":"set_custom","text":"   "}"#, "dnd", None),
        (r#"{"type":"set_status","status":"auto"}"#, "online", None),
    ];
    for (frame, status, custom) in steps {
        tab.send_text(frame).await;
        let seen = next_of(&mut watch, "bob").await;
        assert_eq!(
            (seen.status.as_str(), seen.custom),
            (status, custom),
            "{frame}"
        );
        tokio::time::sleep(PACE).await;
    }
    tab.send_text(r#"{"type":"ping"}"#).await;
    loop {
        match tab.frame().await {
            ServerFrame::Pong => break,
            ServerFrame::Presence { .. } | ServerFrame::Snapshot { .. } => continue,
            other => panic!("expected a pong, got {other:?}"),
        }
    }
    assert_eq!(api_user(&alice, "bob").await["status"], "online");
}

#[actix_web::test]
async fn excess_frames_are_ignored_and_a_flood_closes_the_socket_with_1008() {
    let app = spawn_app().await;
    let (_alice, mut watch, _bob, mut tab) = alice_and_bob(&app).await;
    // Spend the burst at once; the status change after it is ignored.
    for _ in 0..30 {
        tab.send_text(r#"{"type":"ping"}"#).await;
    }
    tab.send_text(r#"{"type":"set_status","status":"dnd"}"#)
        .await;
    let mut pongs = 0;
    let quiet = tokio::time::Instant::now() + QUIET * 2;
    while let Ok(frame) = tokio::time::timeout_at(quiet, tab.frame()).await {
        if frame == ServerFrame::Pong {
            pongs += 1;
        }
    }
    assert!((10..30).contains(&pongs), "{pongs} pongs for 30 pings");
    watch.assert_no_presence_of("bob", QUIET).await;

    // The budget refills: the socket still works.
    tokio::time::sleep(Duration::from_secs(1)).await;
    tab.send_text(r#"{"type":"set_status","status":"dnd"}"#)
        .await;
    assert_eq!(status_of(&mut watch, "bob").await, "dnd");

    for _ in 0..200 {
        tab.send_text(r#"{"type":"ping"}"#).await;
    }
    assert_eq!(tab.close_code().await, 1008);
}

#[actix_web::test]
async fn a_frame_only_ever_changes_its_own_user() {
    let app = spawn_app().await;
    let (alice, mut watch, _bob, mut tab) = alice_and_bob(&app).await;
    tab.send_text(r#"{"type":"activity","state":"idle","username":"alice"}"#)
        .await;
    assert_eq!(status_of(&mut watch, "bob").await, "away");
    tab.send_text(r#"{"type":"set_status","status":"dnd","username":"alice","user":"alice"}"#)
        .await;
    assert_eq!(status_of(&mut watch, "bob").await, "dnd");
    watch.assert_no_presence_of("alice", QUIET).await;
    assert_eq!(api_user(&alice, "alice").await["status"], "online");
    assert_eq!(api_user(&alice, "bob").await["status"], "dnd");
}

#[actix_web::test]
async fn a_status_set_in_one_tab_reaches_the_users_other_tabs_at_once() {
    let app = spawn_app().await;
    let (_alice, mut watch, bob, mut tab1) = alice_and_bob(&app).await;
    let mut tab2 = bob.socket().await;
    tab2.snapshot_with(&["bob"]).await;

    tab1.send_text(r#"{"type":"set_status","status":"dnd"}"#)
        .await;
    assert_eq!(status_of(&mut tab2, "bob").await, "dnd");
    assert_eq!(status_of(&mut watch, "bob").await, "dnd");
    tab1.send_text(r#"{"type":"set_status","status":"invisible"}"#)
        .await;
    assert_eq!(status_of(&mut watch, "bob").await, "offline");
    assert_eq!(status_of(&mut tab2, "bob").await, "offline");
    assert_eq!(status_of(&mut tab2, "bob").await, "invisible");
    assert_eq!(status_of(&mut tab1, "bob").await, "dnd");
}

#[actix_web::test]
async fn do_not_disturb_and_a_custom_status_survive_a_restart() {
    let data = TestDb::fresh().await;
    let first = spawn_on(test_config(&data.url), None).await;
    first.browser().sign_up("alice", PASSWORD).await;
    let bob = first.logged_in("bob").await;
    let mut tab = bob.socket().await;
    tab.snapshot_with(&["bob"]).await;
    tab.send_text(r#"{"type":"set_status","status":"dnd"}"#)
        .await;
    assert_eq!(status_of(&mut tab, "bob").await, "dnd");
    tab.send_text(r#"{"type":"set_custom","text":"🎧 focus","until":null}"#)
        .await;
    assert_eq!(
        next_of(&mut tab, "bob").await.custom,
        Some(("🎧 focus".into(), None))
    );
    first.stop().await;

    let second = spawn_on(test_config(&data.url), None).await;
    let (alice, mut watch) = second.observer("alice").await;
    let bob = second.browser();
    bob.log_in("bob", PASSWORD).await;
    let _tab = bob.socket().await;
    let seen = next_of(&mut watch, "bob").await;
    assert_eq!(seen.status, "dnd");
    assert_eq!(seen.custom, Some(("🎧 focus".into(), None)));
    let page = alice.page("/").await;
    assert_eq!(status_in(&page, "bob").as_deref(), Some("dnd"));
    assert!(item_of(&page, "bob").contains(">🎧 focus</span>"));
    let row = users::find_by_name(&second.db, "bob")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.manual_status, "dnd");
}

#[actix_web::test]
async fn devices_come_from_each_sockets_user_agent() {
    let app = spawn_app().await;
    let (_alice, mut watch) = app.observer("alice").await;
    let bob = app.logged_in("bob").await;
    let origin = bob.address.clone();
    let phone = TestSocket::open_as(&bob, Some(&origin), Some(PHONE))
        .await
        .unwrap();
    until_devices(&mut watch, "bob", &["mobile"]).await;
    let laptop = TestSocket::open_as(&bob, Some(&origin), Some(LAPTOP))
        .await
        .unwrap();
    until_devices(&mut watch, "bob", &["desktop", "mobile"]).await;
    phone.close().await;
    until_devices(&mut watch, "bob", &["desktop"]).await;
    drop(laptop);
}

/// Statuses on the rendered list and in the API: dots, devices, custom
/// status, and a count of online, away and do not disturb.
#[actix_web::test]
async fn the_list_and_the_api_show_every_status() {
    let app = spawn_app().await;
    let (alice, mut watch) = app.observer("alice").await;
    let bob = app.logged_in("bob").await;
    let origin = bob.address.clone();
    let mut phone = TestSocket::open_as(&bob, Some(&origin), Some(PHONE))
        .await
        .unwrap();
    let until = now_millis() + 3_600_000;
    phone
        .send_text(r#"{"type":"set_status","status":"dnd"}"#)
        .await;
    phone
        .send_text(&format!(
            r#"{{"type":"set_custom","text":"🎧 focus & co","until":{until}}}"#
        ))
        .await;
    loop {
        let seen = next_of(&mut watch, "bob").await;
        if seen.status == "dnd" && seen.custom.is_some() && seen.devices == ["mobile"] {
            break;
        }
    }
    let carol = app.logged_in("carol").await;
    let mut idle = carol.socket().await;
    idle.send_text(r#"{"type":"activity","state":"idle"}"#)
        .await;
    while status_of(&mut watch, "carol").await != "away" {}
    app.browser().sign_up("dave", PASSWORD).await;

    let page = alice.page("/").await;
    assert_eq!(online_count(&page), 3);
    let bob_item = item_of(&page, "bob");
    assert!(
        bob_item.contains(r#"data-status="dnd" data-devices="mobile">"#),
        "{bob_item}"
    );
    assert!(bob_item.contains(r#"<span class="user-dot" role="img" aria-label="Do not disturb">"#));
    assert!(bob_item.contains(&format!(
        r#"<span class="user-custom" tabindex="0" data-until="{until}" title="Until "#
    )));
    assert!(bob_item.contains(">🎧 focus &amp; co</span>"), "{bob_item}");
    assert!(item_of(&page, "carol").contains(r#"data-status="away" data-devices="desktop">"#));
    assert_eq!(status_in(&page, "dave").as_deref(), Some("offline"));

    let listed = api_user(&alice, "bob").await;
    assert_eq!(listed["online"], true);
    assert_eq!(listed["status"], "dnd");
    assert_eq!(listed["devices"], serde_json::json!(["mobile"]));
    assert_eq!(
        listed["custom"],
        serde_json::json!({"text": "🎧 focus & co", "until": until})
    );
    assert_eq!(api_user(&alice, "carol").await["status"], "away");
    let dave = api_user(&alice, "dave").await;
    assert_eq!(
        (dave["status"].as_str(), dave["online"].as_bool()),
        (Some("offline"), Some(false))
    );
    assert_eq!(dave["devices"], serde_json::json!([]));
}

/// An invisible user is offline everywhere others look, with the last-seen
/// time of when they went invisible, and closing their tab later makes no
/// frame and changes no time.
#[actix_web::test]
async fn an_invisible_user_is_offline_on_every_surface_and_their_comings_and_goings_show_nowhere() {
    let app = spawn_app().await;
    let (alice, mut watch, bob, mut tab) = alice_and_bob(&app).await;
    tab.send_text(r#"{"type":"set_status","status":"invisible"}"#)
        .await;
    let gone = next_of(&mut watch, "bob").await;
    assert_eq!(gone.status, "offline");
    assert!(gone.last_seen_at.is_some() && gone.devices.is_empty());
    tab.send_text(r#"{"type":"set_custom","text":"secret"}"#)
        .await;
    tab.send_text(r#"{"type":"activity","state":"idle"}"#).await;
    let mut second = bob.socket().await;
    second.snapshot().await;

    let page = alice.page("/").await;
    assert_eq!(online_count(&page), 1);
    assert_eq!(status_in(&page, "bob").as_deref(), Some("offline"));
    assert!(!item_of(&page, "bob").contains("secret"));
    assert_eq!(app.rows().await, ["alice"]);
    let listed = api_user(&alice, "bob").await;
    assert_eq!(listed["status"], "offline");
    assert_eq!(listed["online"], false);
    assert_eq!(listed["devices"], serde_json::json!([]));
    assert!(listed.get("custom").is_none());
    let seen = listed["last_seen_at"]
        .as_i64()
        .expect("frozen when they went invisible");

    tab.close().await;
    second.close().await;
    // Past the grace period (1 s in tests): nothing about bob, ever.
    watch
        .assert_no_presence_of("bob", Duration::from_millis(2_000))
        .await;
    assert_eq!(api_user(&alice, "bob").await["last_seen_at"], seen);
    let row = users::find_by_name(&app.db, "bob").await.unwrap().unwrap();
    assert_eq!(row.last_seen_at, Some(seen));
}
