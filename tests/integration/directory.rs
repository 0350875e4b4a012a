//! `GET /api/users`: who may list the directory, its order and statuses,
//! search, keyset paging and the answers to bad input.

use presence::{auth::Username, users};
use serde_json::Value;

use crate::support::{Browser, app::TestApp, spawn_app, spawn_app_with};

/// Creates accounts straight in the database: paging needs more users than
/// sign-ups through the form would make quickly.
pub async fn create_users(app: &TestApp, names: &[String]) {
    for name in names {
        let user = Username::parse(name).expect("valid name");
        users::create(&app.db, &user, "unused".into())
            .await
            .expect("create user");
    }
}

/// `prefix000`, `prefix001`, ...: names whose order is plain to see.
pub fn numbered(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}{i:03}")).collect()
}

/// `GET path` as JSON, asserting a 200.
pub async fn json(browser: &Browser, path: &str) -> Value {
    let response = browser.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("JSON body")
}

/// The usernames of a page of the API, in order.
pub fn names(page: &Value) -> Vec<String> {
    page["users"]
        .as_array()
        .expect("users array")
        .iter()
        .map(|user| user["username"].as_str().expect("username").to_owned())
        .collect()
}

/// A server whose logins hold their users online for one second only, for
/// tests whose viewer must go offline again (see [`until_offline_again`]).
pub async fn spawn_app_with_short_login_holds() -> TestApp {
    spawn_app_with(|config| config.presence_login_hold_ms = 1000).await
}

/// Waits until `viewer`, just logged in, is offline again with no row: a
/// login holds its user online for the login hold (once the hub hears of
/// it), and the rows follow the hub a moment later. These tests want the
/// viewer offline.
pub async fn until_offline_again(app: &TestApp, viewer: &str) {
    app.wait_online(&[viewer]).await;
    app.wait_online(&[]).await;
    app.wait_rows(&[]).await;
}

/// Every page of `q`, following `next` until it is null.
async fn walk(browser: &Browser, q: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut path = format!("/api/users?q={q}");
    loop {
        let page = json(browser, &path).await;
        pages.push(names(&page));
        match page["next"].as_str() {
            Some(cursor) => path = format!("/api/users?q={q}&after={cursor}"),
            None => {
                assert!(page["next"].is_null());
                return pages;
            }
        }
        assert!(pages.len() < 100, "paging does not end");
    }
}

#[actix_web::test]
async fn an_anonymous_request_gets_401() {
    let app = spawn_app().await;
    let response = app.browser().get("/api/users").await;
    assert_eq!(response.status(), 401);
}

#[actix_web::test]
async fn users_come_online_first_then_in_name_order_ignoring_case_with_their_status() {
    let app = spawn_app().await;
    let zed = app.logged_in("zed").await;
    let _tab = zed.socket().await;
    create_users(&app, &["Bob".into(), "alice".into(), "carol".into()]).await;
    app.wait_online(&["zed"]).await;

    // The empty search lists online users first; a search, by name alone.
    let page = json(&zed, "/api/users").await;
    assert_eq!(names(&page), ["zed", "alice", "Bob", "carol"]);
    let users = page["users"].as_array().unwrap();
    assert_eq!(users[0]["online"], true);
    assert_eq!(users[1]["online"], false);
    assert!(users[1]["last_seen_at"].is_null(), "never logged in");
    assert!(page["next"].is_null());
    let page = json(&zed, "/api/users?q=").await;
    assert_eq!(names(&page)[0], "zed");
    let page = json(&zed, "/api/users?q=%20").await;
    assert_eq!(names(&page)[0], "zed", "a blank search is the empty one");
    assert!(page["next"].is_null());
}

#[actix_web::test]
async fn pages_follow_the_cursor_without_gaps_or_repeats() {
    let app = spawn_app_with_short_login_holds().await;
    let viewer = app.logged_in("viewer").await;
    until_offline_again(&app, "viewer").await; // all offline: one part, by name
    let mut all = numbered("u", 120);
    create_users(&app, &all).await;
    all.push("viewer".into());

    let pages = walk(&viewer, "").await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [50, 50, 21]);
    assert_eq!(pages.concat(), all);
}

#[actix_web::test]
async fn a_user_created_between_pages_shows_up_where_the_name_puts_them() {
    // Keyset paging: an insert before the cursor neither repeats nor
    // skips anyone on the next page, as an OFFSET would.
    let app = spawn_app_with_short_login_holds().await;
    let viewer = app.logged_in("viewer").await;
    until_offline_again(&app, "viewer").await; // all offline: one part, by name
    create_users(&app, &numbered("m", 60)).await;
    let first = json(&viewer, "/api/users").await;
    assert_eq!(names(&first).last().unwrap(), "m049");
    create_users(&app, &["a_early".into(), "m049x".into()]).await;

    let cursor = first["next"].as_str().unwrap();
    let second = json(&viewer, &format!("/api/users?after={cursor}")).await;
    let mut expected = vec!["m049x".to_owned()];
    expected.extend(numbered("m", 60).into_iter().skip(50));
    expected.push("viewer".into());
    assert_eq!(names(&second), expected);
}

#[actix_web::test]
async fn a_search_lists_only_names_starting_with_it_ignoring_case() {
    let app = spawn_app().await;
    let viewer = app.logged_in("viewer").await;
    let people = ["Anna", "annabel", "ann_x", "ANNE", "an", "bob", "jann"];
    create_users(&app, &people.map(String::from)).await;

    let page = json(&viewer, "/api/users?q=Ann").await;
    assert_eq!(names(&page), ["ann_x", "Anna", "annabel", "ANNE"]);
    // `_` is a username character, not a wildcard.
    assert_eq!(names(&json(&viewer, "/api/users?q=ann_").await), ["ann_x"]);
    assert_eq!(
        names(&json(&viewer, "/api/users?q=%20BOB%20").await),
        ["bob"]
    );
    assert!(names(&json(&viewer, "/api/users?q=zz").await).is_empty());
}

#[actix_web::test]
async fn a_search_pages_with_its_own_cursor() {
    let app = spawn_app().await;
    let viewer = app.logged_in("viewer").await;
    let matching = numbered("user", 60);
    create_users(&app, &matching).await;
    create_users(&app, &["usa".into(), "uses".into(), "zed".into()]).await;

    let pages = walk(&viewer, "user").await;
    assert_eq!(pages.len(), 2);
    assert_eq!(pages.concat(), matching);
}

#[actix_web::test]
async fn bad_queries_get_a_400_that_says_what_is_wrong() {
    let app = spawn_app().await;
    let viewer = app.logged_in("viewer").await;
    create_users(&app, &numbered("u", 60)).await;
    let cursor = json(&viewer, "/api/users").await["next"]
        .as_str()
        .unwrap()
        .to_owned();
    let long = "a".repeat(151);
    for (path, says) in [
        ("/api/users?q=bob%20smith".to_owned(), "letters, digits"),
        ("/api/users?q=100%25".to_owned(), "letters, digits"),
        (format!("/api/users?q={long}"), "too long"),
        ("/api/users?after=zz".to_owned(), "not valid"),
        ("/api/users?after=%E2%82%AC".to_owned(), "not valid"),
        (
            format!("/api/users?after={}", "61".repeat(5000)),
            "not valid",
        ),
        (format!("/api/users?q=u&after={cursor}"), "another search"),
        ("/api/users?q=a&q=b".to_owned(), "duplicate"),
    ] {
        let response = viewer.get(&path).await;
        assert_eq!(response.status(), 400, "{path}");
        let body = response.text().await.unwrap();
        assert!(body.contains(says), "{path}: {body}");
    }
}

#[actix_web::test]
async fn a_user_who_went_offline_has_the_time_the_server_saw_them_leave() {
    let app = spawn_app().await;
    let viewer = app.logged_in("viewer").await;
    let mut observer = viewer.socket().await;
    observer.snapshot_with(&["viewer"]).await;
    let before = presence::db::now_millis();
    let bob = app.logged_in("bob").await;
    assert!(observer.presence_of("bob").await);
    bob.socket().await.close().await;
    assert!(!observer.presence_of("bob").await);
    let after = presence::db::now_millis();

    let page = json(&viewer, "/api/users?q=bob").await;
    let bob = &page["users"][0];
    assert_eq!(bob["username"], "bob");
    assert_eq!(bob["online"], false);
    let seen = bob["last_seen_at"].as_i64().expect("a last-seen time");
    assert!(
        (before..=after).contains(&seen),
        "{before} <= {seen} <= {after}"
    );
}

/// The list page's online section comes from one aggregated row: each
/// online user once (even online on two nodes), by folded name, and
/// nobody when nobody is online.
#[actix_web::test]
async fn online_names_are_each_online_user_once_in_folded_name_order() {
    use entity::logged_in_user;
    use sea_orm::{ActiveModelTrait, Set};

    let app = spawn_app().await;
    assert!(
        users::directory::online_names(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
    let everyone = ["carol", "Alice", "dave", "bob"].map(String::from);
    create_users(&app, &everyone).await;
    for (name, node) in [("carol", "a"), ("Alice", "a"), ("Alice", "b"), ("bob", "b")] {
        let user = users::find_by_name(&app.db, name)
            .await
            .unwrap()
            .expect("created");
        logged_in_user::ActiveModel {
            user_id: Set(user.id),
            node_id: Set(node.into()),
            since: Set(0),
            active: Set(true),
            desktop: Set(true),
            mobile: Set(false),
        }
        .insert(&app.db)
        .await
        .expect("insert a row");
    }
    assert_eq!(
        users::directory::online_names(&app.db).await.unwrap(),
        ["Alice", "bob", "carol"]
    );
}
