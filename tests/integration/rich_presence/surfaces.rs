//! Statuses where people look: across a restart, devices from the
//! `User-Agent`, the rendered list, `/api/users`, the count, and an
//! invisible user nowhere.

use std::time::Duration;

use presence::{db::now_millis, users};

use super::{
    LAPTOP, PHONE, alice_and_bob, api_user, item_of, next_of, online_count, status_of,
    until_devices,
};
use crate::support::{
    PASSWORD, TestSocket,
    app::{spawn_on, test_config},
    browser::status_in,
    db::TestDb,
    spawn_app,
    sqlite_lock::SqliteLock,
};

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

/// A single node remembers the accounts it has read, so a page needs no
/// query for its own user; a status chosen since must still be on the
/// next page.
#[actix_web::test]
async fn the_next_page_shows_the_status_chosen_since_the_last_one() {
    let app = spawn_app().await;
    let bob = app.logged_in("bob").await;
    assert!(bob.page("/").await.contains(r#"data-my-status="auto""#));
    let mut tab = bob.socket().await;
    tab.snapshot_with(&["bob"]).await;
    tab.send_text(r#"{"type":"set_status","status":"dnd"}"#)
        .await;
    assert_eq!(status_of(&mut tab, "bob").await, "dnd");
    written(&app.db, "bob", "dnd", Duration::from_secs(10)).await;
    assert!(bob.page("/").await.contains(r#"data-my-status="dnd""#));
}

/// A choice whose write waits (another process holds the SQLite file's
/// write lock) while a page reads the old row: once the write lands, the
/// next page shows the choice. The single node's account memory keeps no
/// copy of the row read meanwhile.
#[actix_web::test]
async fn a_choice_written_late_shows_on_the_next_page_once_it_lands() {
    let db = TestDb::sqlite();
    let url = db.url.clone();
    let app = spawn_on(test_config(&url), Some(db)).await;
    let bob = app.logged_in("bob").await;
    assert!(bob.page("/").await.contains(r#"data-my-status="auto""#));
    let mut tab = bob.socket().await;
    tab.snapshot_with(&["bob"]).await;
    let test = "a_choice_written_late_shows_on_the_next_page_once_it_lands";
    let Some(lock) = SqliteLock::take(test, &url) else {
        return;
    };
    tab.send_text(r#"{"type":"set_status","status":"dnd"}"#)
        .await;
    assert_eq!(status_of(&mut tab, "bob").await, "dnd");
    // The write has not landed: a page reads the old row.
    assert!(bob.page("/").await.contains(r#"data-my-status="auto""#));
    drop(lock);
    written(&app.db, "bob", "dnd", Duration::from_secs(20)).await;
    assert!(bob.page("/").await.contains(r#"data-my-status="dnd""#));
}

/// Waits up to `limit` until `user`'s row says `status`.
async fn written(db: &sea_orm::DatabaseConnection, user: &str, status: &str, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let row = users::find_by_name(db, user).await.unwrap().unwrap();
        if row.manual_status == status {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{status} was never written"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
