//! Away when idle, in real Chromium tabs (issue 13): with a short
//! `PRESENCE_IDLE_MS`, a user is away only when every tab is idle, any
//! input in any tab brings them back at once, and closing the active tab
//! while an idle one stays open leaves them away, not offline.

use fantoccini::Locator;

use crate::{
    HEIGHT, WIDTH,
    driver::{Driver, chromium_available},
    server::{GRACE, Server},
    status_ui::AMBER,
};

#[actix_web::test]
async fn an_idle_tab_leaves_its_user_online_while_another_tab_is_active() {
    if !chromium_available("an_idle_tab_leaves_its_user_online_while_another_tab_is_active") {
        return;
    }
    // Two seconds without input make a page idle.
    let server = Server::start_with(|config| config.presence_idle_ms = 2_000).await;
    let address = server.address.clone();
    let driver = Driver::start().await;
    let a = driver.context(WIDTH, HEIGHT).await;
    let b = driver.context(WIDTH, HEIGHT).await;
    a.sign_up(&address, "alice").await;
    a.log_in("alice").await;
    b.sign_up(&address, "bob").await;
    b.log_in("bob").await;
    assert_eq!(
        b.run("return document.body.dataset.idleMs;").await,
        "2000",
        "the page has the setting"
    );

    // Bob's second tab; then nobody touches either tab.
    let first_tab = b.client.window().await.unwrap();
    let second_tab = b.client.new_window(true).await.unwrap().handle;
    b.client.switch_to_window(second_tab.clone()).await.unwrap();
    b.open(&address, "/").await;
    b.wait_live().await;
    a.wait_status("bob", "away").await;
    assert_eq!(a.dot("bob").await.unwrap().colour, AMBER);

    // Input in the second tab brings bob back while the first stays idle.
    let heading = b.client.find(Locator::Id("users-heading")).await.unwrap();
    heading.click().await.unwrap();
    a.wait_status("bob", "online").await;

    // Closing the active tab leaves the idle one: away, not offline.
    b.client.close_window().await.unwrap();
    b.client.switch_to_window(first_tab).await.unwrap();
    a.wait_status("bob", "away").await;
    tokio::time::sleep(GRACE * 2).await;
    assert_eq!(a.dot("bob").await.unwrap().status, "away");

    // Input in the remaining tab: online again, within the idle time.
    let heading = b.client.find(Locator::Id("users-heading")).await.unwrap();
    heading.click().await.unwrap();
    a.wait_status("bob", "online").await;
    a.finish("alice", server.port).await;
    b.finish("bob", server.port).await;
}
