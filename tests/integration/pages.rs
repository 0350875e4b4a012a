//! The rendered list at `/`: it agrees with the live events, lists the
//! first page of the list's order (online first; `list_order` has the
//! rest of that order), and says when offline users were last seen.

use crate::{
    directory::{create_users, json, names, numbered},
    support::{
        browser::{listed_names, status_in},
        spawn_app,
    },
};

#[actix_web::test]
async fn the_list_shows_every_user_online_first_with_visible_status() {
    let app = spawn_app().await;
    let zed = app.logged_in("zed").await;
    let _zed_tab = zed.socket().await;
    app.browser().sign_up("amy", crate::support::PASSWORD).await; // never logged in
    app.browser().sign_up("Bea", crate::support::PASSWORD).await;
    app.wait_rows(&["zed"]).await;
    let page = zed.page("/").await;
    assert_eq!(listed_names(&page), ["zed", "amy", "Bea"]);
    assert_eq!(status_in(&page, "zed").as_deref(), Some("online"));
    assert_eq!(status_in(&page, "amy").as_deref(), Some("offline"));
    let zed_item = &page[page.find(r#"data-username="zed""#).unwrap()..];
    let zed_item = &zed_item[..zed_item.find("</li>").unwrap()];
    assert!(zed_item.contains(">Online<"));
    let amy_item = &page[page.find(r#"data-username="amy""#).unwrap()..];
    assert!(amy_item[..amy_item.find("</li>").unwrap()].contains(">Offline<"));
}

#[actix_web::test]
async fn an_observer_that_sees_an_event_then_loads_the_page_sees_the_same_state() {
    let app = spawn_app().await;
    let (alice, mut observer) = app.observer("alice").await;
    let bob = app.browser();
    bob.sign_up_and_log_in("bob").await;
    assert!(observer.presence_of("bob").await);
    assert_eq!(
        status_in(&alice.page("/").await, "bob").as_deref(),
        Some("online")
    );

    let tab = bob.socket().await;
    tab.close().await;
    assert!(!observer.presence_of("bob").await);
    assert_eq!(
        status_in(&alice.page("/").await, "bob").as_deref(),
        Some("offline")
    );
}

#[actix_web::test]
async fn usernames_are_escaped_in_the_page() {
    // Only letters, digits and @.+-_ are allowed, so nothing can break out
    // of an attribute; the template escapes regardless.
    let app = spawn_app().await;
    let response = app
        .browser()
        .submit(
            "/sign_up/",
            &[
                ("username", "<b>x</b>"),
                ("password1", "x"),
                ("password2", "x"),
            ],
        )
        .await;
    let page = response.text().await.unwrap();
    assert!(!page.contains("<b>x</b>"));
    assert!(page.contains("&lt;b&gt;x&lt;&#x2F;b&gt;"));
}

#[actix_web::test]
async fn the_stylesheet_script_and_favicon_are_served_by_the_app() {
    let app = spawn_app().await;
    let browser = app.browser();
    for (path, content_type) in [
        ("/static/presence.css", "text/css"),
        ("/static/presence.js", "text/javascript"),
        ("/static/favicon.svg", "image/svg+xml"),
        ("/favicon.ico", "image/x-icon"),
    ] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let header = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(header.starts_with(content_type), "{path}: {header}");
    }
    assert_eq!(browser.get("/static/../Cargo.toml").await.status(), 404);
    let page = app.logged_in("alice").await.page("/").await;
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "the page loads something from elsewhere"
    );
}

/// The markup of `name`'s line in a rendered list.
fn item<'a>(page: &'a str, name: &str) -> &'a str {
    let start = page
        .find(&format!(r#"data-username="{name}""#))
        .unwrap_or_else(|| panic!("{name} is not listed"));
    let rest = &page[start..];
    &rest[..rest.find("</li>").expect("end of item")]
}

/// The value of `attribute` on the first element that has it.
fn attribute<'a>(markup: &'a str, attribute: &str) -> Option<&'a str> {
    let marker = format!(r#"{attribute}=""#);
    let start = markup.find(&marker)? + marker.len();
    Some(&markup[start..start + markup[start..].find('"')?])
}

#[actix_web::test]
async fn the_page_lists_the_first_page_online_first_and_shows_more_from_its_cursor() {
    let app = spawn_app().await;
    // Names that sort last, so only being online puts them first.
    let zoe = app.logged_in("zoe").await;
    let _zoe_tab = zoe.socket().await;
    let zack = app.logged_in("zack").await;
    let _zack_tab = zack.socket().await;
    create_users(&app, &numbered("a", 70)).await;
    app.wait_online(&["zack", "zoe"]).await;

    let page = zoe.page("/").await;
    let listed = listed_names(&page);
    assert_eq!(listed[..2], ["zack", "zoe"]);
    assert_eq!(listed[2..], numbered("a", 48));
    assert!(page.contains(r#"<span id="online-count">2</span>"#));

    // "Show more" continues the same order after a047.
    let cursor = attribute(&page, "data-next").expect("a next-page cursor");
    let more = json(&zoe, &format!("/api/users?after={cursor}")).await;
    assert_eq!(names(&more), numbered("a", 70).split_off(48));
    assert!(more["next"].is_null());
}

#[actix_web::test]
async fn a_page_with_everyone_on_it_offers_no_more() {
    let app = spawn_app().await;
    let amy = app.logged_in("amy").await;
    create_users(&app, &numbered("b", 3)).await;
    let page = amy.page("/").await;
    assert_eq!(listed_names(&page).len(), 4);
    assert_eq!(attribute(&page, "data-next"), None);
}

#[actix_web::test]
async fn offline_users_show_when_they_were_last_seen() {
    let app = spawn_app().await;
    let viewer = app.logged_in("viewer").await;
    let mut observer = viewer.socket().await;
    observer.snapshot_with(&["viewer"]).await;
    app.browser().sign_up("amy", crate::support::PASSWORD).await;
    let bob = app.logged_in("bob").await;
    assert!(observer.presence_of("bob").await);
    bob.socket().await.close().await;
    assert!(!observer.presence_of("bob").await);
    let seen = presence::users::find_by_name(&app.db, "bob")
        .await
        .unwrap()
        .unwrap()
        .last_seen_at
        .expect("bob's last-seen time is stored");

    let page = viewer.page("/").await;
    let bob = item(&page, "bob");
    assert_eq!(
        attribute(bob, "data-last-seen"),
        Some(seen.to_string().as_str())
    );
    assert!(bob.contains(">last seen just now<"), "{bob}");
    let amy = item(&page, "amy");
    assert_eq!(attribute(amy, "data-last-seen"), None);
    assert!(amy.contains(">never logged in<"), "{amy}");
    assert!(!item(&page, "viewer").contains("last seen"));
}

#[actix_web::test]
async fn pages_need_no_inline_script_style_or_event_handler() {
    // A Content-Security-Policy of `default-src 'self'` forbids all three.
    let app = spawn_app().await;
    let anonymous = app.browser();
    let alice = app.logged_in("alice").await;
    let pages = [
        anonymous.page("/log_in/").await,
        anonymous.page("/sign_up/").await,
        alice.page("/").await,
        alice.page("/log_out/").await,
    ];
    for page in pages {
        assert!(!page.contains("style="), "a style attribute");
        assert!(!page.contains("<style"), "a style element");
        for script in page.split("<script").skip(1) {
            assert!(
                script.trim_start().starts_with("src=\"/static/"),
                "inline script"
            );
        }
        let lower = page.to_lowercase();
        for handler in [
            " onclick=",
            " onload=",
            " onsubmit=",
            " oninput=",
            " onerror=",
        ] {
            assert!(!lower.contains(handler), "{handler}");
        }
    }
}
