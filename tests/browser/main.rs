//! End-to-end tests in real headless Chromium.
//!
//! Each test runs the real app on 127.0.0.1 with a fresh database, starts
//! chromedriver, and opens isolated browser contexts (one per person, as
//! separate incognito windows would be) that people drive by typing and
//! clicking. Every context must finish with an empty console and without
//! a single request outside the app.
//!
//! The tests are skipped, saying why, only where Chromium is not installed;
//! with `PRESENCE_REQUIRE_SERVICES=1` (CI) that is a failure instead. With
//! `PRESENCE_SCREENSHOT=1`, the rich presence test (`rich.rs`) also writes
//! `docs/screenshot.png`.

mod driver;
mod idle;
mod rich;
mod screenshot;
mod server;
mod status_ui;
// The integration tests' fixtures: fresh databases and plain HTTP and
// WebSocket clients for the people who need no browser.
#[allow(dead_code, unused_imports)]
#[path = "../integration/support/mod.rs"]
mod support;
mod ui;
mod watching;

use std::time::Instant;

use entity::user;
use fantoccini::key::Key;
use presence::{auth::Username, db::now_millis, users};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::Expr};

use crate::{
    driver::{Driver, chromium_available},
    server::{GRACE, Server},
    support::{Browser, PASSWORD},
};

/// A window about the size of a small laptop's half screen.
const WIDTH: u32 = 600;
const HEIGHT: u32 = 760;

/// Creates `name` straight in the database, last seen `ago_ms` ago.
async fn seed(db: &DatabaseConnection, name: &str, ago_ms: Option<i64>) {
    let username = Username::parse(name).expect("name");
    users::create(db, &username, "unused".into())
        .await
        .expect("create user");
    if let Some(ago) = ago_ms {
        user::Entity::update_many()
            .col_expr(user::Column::LastSeenAt, Expr::value(now_millis() - ago))
            .filter(user::Column::Username.eq(name))
            .exec(db)
            .await
            .expect("set last seen");
    }
}

/// A person without a browser: signed up, logged in, with one open socket.
async fn online_elsewhere(address: &str, name: &str) -> (Browser, support::TestSocket) {
    let person = Browser::new(address);
    person.sign_up_and_log_in(name).await;
    let socket = person.socket().await;
    (person, socket)
}

#[actix_web::test]
async fn a_watcher_sees_people_come_and_go_live_without_reloading() {
    if !chromium_available("a_watcher_sees_people_come_and_go_live_without_reloading") {
        return;
    }
    let server = Server::start().await;
    let address = server.address.clone();
    const MINUTE: i64 = 60_000;
    seed(&server.db, "erin", Some(5 * MINUTE + 5_000)).await;
    seed(&server.db, "frank", Some(2 * 60 * MINUTE)).await;
    seed(&server.db, "gwen", Some(3 * 24 * 60 * MINUTE)).await;
    let driver = Driver::start().await;
    let a = driver.context(WIDTH, HEIGHT).await;
    let b = driver.context(WIDTH, HEIGHT).await;
    let mut c = driver.context(WIDTH, HEIGHT).await;

    a.sign_up(&address, "alice").await;
    a.log_in("alice").await;
    a.run("window.loadedOnce = true; return null;").await;
    a.wait_count(1).await;
    let erin = a.line("erin").await.expect("erin listed");
    assert_eq!(
        (erin.shown.as_str(), erin.seen.as_str()),
        ("Offline", "last seen 5 minutes ago")
    );
    assert_eq!(a.line("gwen").await.unwrap().seen, "last seen 3 days ago");

    // A sees B's new account, then B logging in.
    b.sign_up(&address, "bob").await;
    a.wait_status("bob", "offline").await;
    assert_eq!(a.line("bob").await.unwrap().seen, "never logged in");
    b.log_in("bob").await;
    a.wait_status("bob", "online").await;
    let bob = a.line("bob").await.unwrap();
    assert_eq!((bob.shown.as_str(), bob.seen.as_str()), ("Online", ""));
    a.wait_count(2).await;
    assert_eq!(
        a.listed().await[..2],
        ["alice", "bob"],
        "online users first"
    );

    // An account created after A's page loaded appears live.
    Browser::new(&address).sign_up("dave", PASSWORD).await;
    a.wait_status("dave", "offline").await;
    assert_eq!(a.line("dave").await.unwrap().seen, "never logged in");

    c.sign_up(&address, "carol").await;
    c.log_in("carol").await;
    a.wait_status("carol", "online").await;
    b.wait_status("carol", "online").await;
    a.wait_count(3).await;

    // B's second tab keeps B online when the first one closes.
    let first_tab = b.client.window().await.unwrap();
    let second_tab = b.client.new_window(true).await.unwrap().handle;
    b.client.switch_to_window(second_tab.clone()).await.unwrap();
    b.open(&address, "/").await;
    b.wait_live().await;
    b.client.switch_to_window(first_tab).await.unwrap();
    b.client.close_window().await.unwrap();
    b.client.switch_to_window(second_tab).await.unwrap();
    tokio::time::sleep(GRACE * 4).await;
    assert_eq!(a.line("bob").await.unwrap().status, "online");

    // B's logout shows B offline, last seen just now.
    b.log_out().await;
    a.wait_status("bob", "offline").await;
    assert_eq!(a.line("bob").await.unwrap().seen, "last seen just now");
    a.wait_count(2).await;

    // Closing C's window shows C offline once the grace period is over.
    c.assert_clean("carol", server.port).await;
    let closed = Instant::now();
    c.close().await;
    a.wait_status("carol", "offline").await;
    assert!(
        closed.elapsed() >= GRACE,
        "carol went offline within the grace period"
    );
    a.wait_count(1).await;

    assert_eq!(
        a.run("return window.loadedOnce === true;").await,
        true,
        "A reloaded"
    );
    a.finish("alice", server.port).await;
    b.finish("bob", server.port).await;
}

#[actix_web::test]
async fn a_page_recovers_when_the_server_restarts_under_it() {
    if !chromium_available("a_page_recovers_when_the_server_restarts_under_it") {
        return;
    }
    let mut server = Server::start().await;
    let address = server.address.clone();
    let driver = Driver::start().await;
    let a = driver.context(WIDTH, HEIGHT).await;
    a.sign_up(&address, "alice").await;
    a.log_in("alice").await;
    let (_dave, dave_socket) = online_elsewhere(&address, "dave").await;
    a.wait_status("dave", "online").await;

    server.stop().await;
    drop(dave_socket);
    a.wait_until(
        "the page says it is reconnecting",
        "document.getElementById('connection').dataset.state === 'reconnecting' && \
         document.getElementById('connection').textContent === 'Reconnecting…'",
    )
    .await;

    // Dave does not come back; Erin logs in on the new server. Only the
    // snapshot can tell A that Dave is gone: the new server never saw him.
    server.start_again().await;
    let (_erin, _erin_socket) = online_elsewhere(&address, "erin").await;
    a.wait_live().await;
    a.wait_status("erin", "online").await;
    a.wait_status("dave", "offline").await;
    a.wait_status("alice", "online").await;
    assert_eq!(a.text("#connection").await, "");
    a.wait_count(2).await;
    a.finish("alice", server.port).await;
}

#[actix_web::test]
async fn a_large_directory_is_searched_and_paged_from_the_keyboard() {
    if !chromium_available("a_large_directory_is_searched_and_paged_from_the_keyboard") {
        return;
    }
    let server = Server::start().await;
    let address = server.address.clone();
    let everyone: Vec<String> = (0..120).map(|i| format!("user{i:03}")).collect();
    for name in &everyone {
        seed(&server.db, name, None).await;
    }
    let driver = Driver::start().await;
    let a = driver.context(WIDTH, HEIGHT).await;
    a.sign_up(&address, "alice").await;
    a.log_in("alice").await;

    // The page shows the online users, then the offline users among the
    // first page of everyone by name (alice is on it, as an online user).
    let listed = a.listed().await;
    assert_eq!(listed[0], "alice");
    assert_eq!(listed[1..], everyone[..49]);

    // Tab from the search box reaches "Show more"; Enter pages on.
    let search = a
        .client
        .find(fantoccini::Locator::Css("#search-input"))
        .await
        .unwrap();
    search.click().await.unwrap();
    search.send_keys(&Key::Tab).await.unwrap();
    assert_eq!(a.run("return document.activeElement.id;").await, "more");
    let more = a.client.active_element().await.unwrap();
    more.send_keys(&Key::Enter).await.unwrap();
    a.wait_until(
        "a second page",
        "document.querySelectorAll('li.user').length === 100",
    )
    .await;
    a.show_more().await;
    a.wait_until(
        "the last page",
        "document.querySelectorAll('li.user').length === 121",
    )
    .await;
    assert_eq!(a.listed().await[1..], everyone[..]);
    a.wait_until("no more pages", "document.getElementById('more').hidden")
        .await;

    // A search shows only the names that start with it, ignoring case.
    a.search("User11").await;
    a.wait_until(
        "the search results",
        "document.querySelectorAll('li.user').length === 10",
    )
    .await;
    assert_eq!(a.listed().await, everyone[110..]);
    assert_eq!(
        a.text("#search-status").await,
        "Users starting with “User11”."
    );

    // Someone outside the results comes and goes: only the count shows it.
    let (_zed, zed_socket) = online_elsewhere(&address, "zed").await;
    a.wait_until(
        "the count includes zed",
        "document.getElementById('online-count').textContent === '2'",
    )
    .await;
    zed_socket.close().await;
    a.wait_until(
        "the count drops zed",
        "document.getElementById('online-count').textContent === '1'",
    )
    .await;
    assert_eq!(a.listed().await, everyone[110..]);

    // Clearing the search brings back the online users and the first page.
    let erase: String = std::iter::repeat_n(&*Key::Backspace, 6).collect();
    a.search(&erase).await;
    a.wait_until(
        "the full list",
        "document.querySelectorAll('li.user').length === 50",
    )
    .await;
    assert_eq!(a.listed().await[1..], everyone[..49]);
    a.finish("alice", server.port).await;
}

#[actix_web::test]
async fn the_harness_notices_console_messages_and_requests_outside_the_app() {
    // The other tests' "console stays empty" and "no request leaves the
    // app" checks are only worth something if they can fail.
    if !chromium_available("the_harness_notices_console_messages_and_requests_outside_the_app") {
        return;
    }
    let server = Server::start().await;
    let driver = Driver::start().await;
    let mut a = driver.context(WIDTH, HEIGHT).await;
    a.open(&server.address, "/log_in/").await;
    assert_eq!(a.problems(server.port).await, Vec::<String>::new());

    // `localhost` is another origin than `127.0.0.1`, yet stays on this
    // machine. (A fetch there would be stopped by the app's
    // Content-Security-Policy before it was sent; a navigation is not.)
    let elsewhere = format!("http://localhost:{}/log_in/", server.port);
    a.client.goto(&elsewhere).await.expect("navigate");
    a.run("console.warn('from the test'); return null;").await;
    let problems = a.problems(server.port).await;
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("console:") && p.contains("from the test")),
        "{problems:?}"
    );
    assert!(
        problems.contains(&format!("request outside the app: {elsewhere}")),
        "{problems:?}"
    );
    a.close().await;
}
