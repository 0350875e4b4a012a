//! The key that signs cookies: without `SECRET_KEY` it is generated once
//! and kept in the database, so a restart keeps every login and servers
//! sharing a database honour each other's cookies. An explicit key still
//! wins, and a short one is still refused.

use std::process::Command;

use presence::config::Config;

use crate::support::{
    Browser,
    app::{TestApp, spawn_on, test_config},
    db::TestDb,
};

/// The test settings, less the explicit key.
fn without_key(db: &TestDb) -> Config {
    Config {
        secret_key: None,
        ..test_config(&db.url)
    }
}

/// A browser of `app` holding every cookie `from` holds.
fn with_cookies_of(from: &Browser, app: &TestApp) -> Browser {
    let browser = app.browser();
    let url = app.address.parse().expect("url");
    for pair in from.cookie_header().expect("cookies").split("; ") {
        browser.jar.add_cookie_str(pair, &url);
    }
    browser
}

#[actix_web::test]
async fn a_server_restarted_without_secret_key_still_honours_the_cookie() {
    let db = TestDb::fresh().await;
    let first = spawn_on(without_key(&db), None).await;
    let alice = first.logged_in("alice").await;
    assert_eq!(alice.get("/").await.status(), 200);
    first.stop().await;

    let second = spawn_on(without_key(&db), None).await;
    let returning = with_cookies_of(&alice, &second);
    assert_eq!(
        returning.get("/").await.status(),
        200,
        "the restart logged alice out"
    );
    // And the form token of the old cookie still works: she can log out.
    assert_eq!(returning.log_out().await.status(), 303);
}

#[actix_web::test]
async fn servers_started_together_on_one_database_accept_each_others_cookies() {
    let db = TestDb::fresh().await;
    let servers =
        futures_util::future::join_all((0..4).map(|_| spawn_on(without_key(&db), None))).await;
    let alice = servers[0].logged_in("alice").await;
    for (i, server) in servers.iter().enumerate() {
        let elsewhere = with_cookies_of(&alice, server);
        assert_eq!(
            elsewhere.get("/").await.status(),
            200,
            "server {i} refused the cookie of server 0"
        );
    }
}

#[actix_web::test]
async fn an_explicit_secret_key_wins_over_the_stored_one() {
    let db = TestDb::fresh().await;
    let stored = spawn_on(without_key(&db), None).await;
    let alice = stored.logged_in("alice").await;
    let explicit = spawn_on(test_config(&db.url), None).await;
    assert_eq!(
        with_cookies_of(&alice, &explicit).get("/").await.status(),
        303,
        "a cookie signed with the stored key passed the explicit one"
    );
    let bob = explicit.logged_in("bob").await;
    assert_eq!(bob.get("/").await.status(), 200);
    assert_eq!(
        with_cookies_of(&bob, &stored).get("/").await.status(),
        303,
        "a cookie signed with the explicit key passed the stored one"
    );
}

#[test]
fn a_short_secret_key_is_still_refused_at_start() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let output = Command::new(env!("CARGO_BIN_EXE_presence"))
        .env_clear()
        .env("BIND_ADDR", "127.0.0.1:0")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.path().join("db").display()),
        )
        .env("SECRET_KEY", "too-short")
        .output()
        .expect("run presence");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("at least 32 bytes"), "{stderr}");
}
