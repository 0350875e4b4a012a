//! Rich presence in three isolated windows (issue 13): do not disturb,
//! invisible, a custom status that expires live, and the README's
//! screenshot of all of them. Away when idle is in `idle.rs`.

use std::path::Path;

use fantoccini::{Locator, key::Key};

use crate::{
    HEIGHT, WIDTH,
    driver::{Driver, chromium_available},
    online_elsewhere, screenshot, seed,
    server::Server,
    status_ui::{AMBER, GREEN, GREY, RED},
};

/// What a phone's Chromium says it is; the server reads "Mobile".
const PHONE: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 \
                     (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

#[actix_web::test]
async fn statuses_custom_statuses_and_invisibility_reach_the_other_windows_live() {
    if !chromium_available("statuses_custom_statuses_and_invisibility_reach_the_other_windows_live")
    {
        return;
    }
    let server = Server::start().await;
    let address = server.address.clone();
    seed(&server.db, "erin", Some(5 * 60_000 + 5_000)).await;
    let driver = Driver::start().await;
    let a = driver.context(WIDTH, HEIGHT).await;
    let b = driver.context(WIDTH, HEIGHT).await;
    let c = driver.context_as(WIDTH, HEIGHT, Some(PHONE)).await;
    for (window, name) in [(&a, "alice"), (&b, "bob"), (&c, "carol")] {
        window.sign_up(&address, name).await;
        window.log_in(name).await;
    }
    a.wait_status("carol", "online").await;
    let carol = a.dot("carol").await.expect("carol listed");
    assert_eq!(
        (
            carol.label.as_str(),
            carol.colour.as_str(),
            carol.devices.as_str()
        ),
        ("Online", GREEN, "mobile")
    );
    assert_eq!(a.dot("bob").await.unwrap().devices, "desktop");
    assert_eq!(a.dot("erin").await.unwrap().colour, GREY);

    // Dave has no browser: his one socket says its page is idle.
    let (_dave, mut dave_socket) = online_elsewhere(&address, "dave").await;
    dave_socket.snapshot().await;
    dave_socket
        .send_text(r#"{"type":"activity","state":"idle"}"#)
        .await;
    a.wait_status("dave", "away").await;
    assert_eq!(a.dot("dave").await.unwrap().colour, AMBER);
    a.wait_count(4).await; // away counts as online

    // Bob, from the keyboard alone: the menu opens, Escape closes it,
    // and the arrow keys and Enter pick do not disturb.
    let button = b.client.find(Locator::Id("status-button")).await.unwrap();
    button.send_keys(&Key::Enter).await.unwrap();
    b.wait_until(
        "the menu opens",
        "document.getElementById('status-button').getAttribute('aria-expanded') === 'true'",
    )
    .await;
    let focused = b.client.active_element().await.unwrap();
    focused.send_keys(&Key::Escape).await.unwrap();
    b.wait_until(
        "Escape closes the menu and gives focus back",
        "document.getElementById('status-panel').hidden && \
         document.activeElement.id === 'status-button'",
    )
    .await;
    b.choose_status_by_keyboard("dnd").await;
    for window in [&a, &c] {
        window.wait_status("bob", "dnd").await;
        let bob = window.dot("bob").await.unwrap();
        assert_eq!(
            (bob.label.as_str(), bob.colour.as_str()),
            ("Do not disturb", RED)
        );
    }
    b.wait_status("bob", "dnd").await;
    b.wait_until(
        "bob's menu shows do not disturb",
        "document.getElementById('status-label').textContent === 'Do not disturb'",
    )
    .await;
    assert_eq!(b.own_status().await.1, "dnd");
    a.wait_count(4).await; // do not disturb counts as online

    // Bob's custom status, through the menu, with an expiry of an hour.
    b.set_custom_status("In a meeting", "1h").await;
    a.wait_custom("bob", Some("In a meeting")).await;
    let (_, title) = a.custom_status("bob").await.unwrap();
    assert!(title.starts_with("Until "), "{title}");
    // The expiry shows on focus too, for keyboard users.
    let shown = a
        .run(
            "var li = document.querySelector('li.user[data-username=\"bob\"]'); \
             var el = li.querySelector('.user-custom'); el.focus(); \
             return getComputedStyle(el, '::after').content;",
        )
        .await;
    assert_eq!(shown, format!("\"{title}\""));
    c.wait_custom("bob", Some("In a meeting")).await;

    if screenshot::wanted() {
        b.open_status_menu().await;
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshot.png");
        screenshot::side_by_side(&a, &b, &path).await;
        let focused = b.client.active_element().await.unwrap();
        focused.send_keys(&Key::Escape).await.unwrap();
    }

    // A custom status the server refuses (markup) changes nothing and
    // says why, politely.
    b.set_custom_status("<b>loud</b>", "30m").await;
    b.wait_until(
        "the refusal is shown",
        "document.getElementById('status-errors').textContent.indexOf('not changed') !== -1",
    )
    .await;
    assert_eq!(a.custom_status("bob").await.unwrap().0, "In a meeting");

    // The lines the page drew from frames are the ones the server renders.
    let drawn = a.drawn_lines().await;
    let rendered = a.rendered_lines().await;
    for name in ["alice", "bob", "carol", "dave", "erin"] {
        assert_eq!(drawn[name], rendered[name], "{name}'s line");
    }

    // Carol goes invisible: offline to everyone else, yet she still sees
    // them live.
    c.choose_status_by_pointer("invisible").await;
    for window in [&a, &b] {
        window.wait_status("carol", "offline").await;
        let carol = window.dot("carol").await.unwrap();
        assert_eq!(
            (carol.label.as_str(), carol.devices.as_str()),
            ("Offline", "")
        );
    }
    a.wait_until(
        "the count drops carol",
        "document.getElementById('online-count').textContent === '3'",
    )
    .await;
    c.wait_status("carol", "invisible").await;
    assert_eq!(
        c.own_status().await,
        ("Invisible".into(), "invisible".into())
    );
    b.choose_status_by_pointer("auto").await;
    c.wait_status("bob", "online").await;
    let (_frank, _frank_socket) = online_elsewhere(&address, "frank").await;
    c.wait_status("frank", "online").await;
    a.wait_status("frank", "online").await;
    assert_eq!(a.dot("carol").await.unwrap().status, "offline");

    // A custom status that expires in a moment (the menu's shortest is
    // 30 minutes): sent from another socket of bob's, it shows, then
    // disappears by itself on every page.
    b.send_from_another_socket(&format!(
        r#"{{"type":"set_custom","text":"brb","until":{}}}"#,
        presence::db::now_millis() + 4_000
    ))
    .await;
    for window in [&a, &c] {
        window.wait_custom("bob", Some("brb")).await;
    }
    for window in [&a, &c, &b] {
        window.wait_custom("bob", None).await;
    }
    assert_eq!(b.text("#custom-current").await, "");

    a.finish("alice", server.port).await;
    b.finish("bob", server.port).await;
    c.finish("carol", server.port).await;
}
