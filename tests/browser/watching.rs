//! The page watches what is on screen (issue 15): scroll or search to a
//! user and their changes arrive live; a user scrolled out of view sends
//! the page nothing until their line is back on screen, while the count
//! still follows everyone.

use std::time::Duration;

use crate::{
    HEIGHT, WIDTH,
    driver::{Context, Driver, chromium_available},
    seed,
    server::Server,
    support::{Browser, PASSWORD, TestSocket},
};

/// Logs `name` in without a browser and opens one socket for them.
async fn online_as(address: &str, name: &str) -> (Browser, TestSocket) {
    let person = Browser::new(address);
    person.log_in(name, PASSWORD).await;
    let socket = person.socket().await;
    (person, socket)
}

/// Scrolls the page until `name`'s line is in the middle of the window.
async fn scroll_to(window: &Context, name: &str) {
    window
        .run(&format!(
            "document.querySelector('li.user[data-username=\"{name}\"]')\
             .scrollIntoView({{block: 'center'}}); return null;"
        ))
        .await;
}

#[actix_web::test]
async fn the_page_hears_about_the_users_on_screen_and_no_others() {
    if !chromium_available("the_page_hears_about_the_users_on_screen_and_no_others") {
        return;
    }
    let server = Server::start().await;
    let address = server.address.clone();
    // Three pages of accounts; three of them can log in.
    for i in 0..150 {
        let name = format!("user{i:03}");
        if [75, 140].contains(&i) {
            Browser::new(&address).sign_up(&name, PASSWORD).await;
        } else {
            seed(&server.db, &name, None).await;
        }
    }
    let driver = Driver::start().await;
    let a = driver.context(WIDTH, HEIGHT).await;
    a.sign_up(&address, "alice").await;
    a.log_in("alice").await;
    for lines in [100, 150, 151] {
        a.show_more().await;
        a.wait_until(
            "another page",
            &format!("document.querySelectorAll('li.user').length === {lines}"),
        )
        .await;
    }
    // "Show more" left the last page on screen: back to the top, and let
    // the page's new watch (sent a moment after the scroll) settle.
    a.run("window.scrollTo(0, 0); return null;").await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    // user140 comes online far below the fold: the count says so, the
    // line does not, for the page does not watch them.
    let (_user140, mut user140_tab) = online_as(&address, "user140").await;
    a.wait_count(2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(a.line("user140").await.unwrap().status, "offline");

    // Scrolled to, they are watched: the answer shows them online, and
    // what they do next arrives live.
    scroll_to(&a, "user140").await;
    a.wait_status("user140", "online").await;
    user140_tab
        .send_text(r#"{"type":"activity","state":"idle"}"#)
        .await;
    a.wait_status("user140", "away").await;

    // Back at the top, user140 leaves unseen: only the count drops.
    a.run("window.scrollTo(0, 0); return null;").await;
    tokio::time::sleep(Duration::from_millis(500)).await; // the new watch settles
    user140_tab.close().await;
    a.wait_count(1).await;
    assert_eq!(
        a.line("user140").await.unwrap().status,
        "away",
        "a user off screen sends the page nothing"
    );
    // On screen again, the answer brings the line up to date.
    scroll_to(&a, "user140").await;
    a.wait_status("user140", "offline").await;

    // A search shows user070 to user079; user075 coming online shows live.
    a.search("user07").await;
    a.wait_until(
        "the search results",
        "document.querySelectorAll('li.user').length === 10",
    )
    .await;
    let (_user075, _user075_tab) = online_as(&address, "user075").await;
    a.wait_status("user075", "online").await;
    a.wait_count(2).await;
    a.finish("alice", server.port).await;
}
