//! CSRF protection that costs anonymous visitors nothing on the server:
//! the forms carry a masked token of the signed `csrftoken` cookie, and a
//! server-side session only starts at login. The guarantees stay: no valid
//! token, no POST; and the token changes at login and at logout.

use entity::session;
use presence::auth::token;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::support::{
    PASSWORD, app::TestApp, browser::csrf_token_in, services::redis_url, spawn_app, spawn_app_with,
};

/// How many anonymous visits of each form the flood tests make.
const VISITS: usize = 250;

/// `VISITS` cookie-less GETs of each form, as crawlers and bots make them.
async fn visit_forms_anonymously(address: &str) {
    let client = reqwest::Client::new();
    for _ in 0..VISITS {
        for path in ["/log_in/", "/sign_up/"] {
            let response = client
                .get(format!("{address}{path}"))
                .send()
                .await
                .expect("GET");
            assert_eq!(response.status(), 200, "{path}");
            let page = response.text().await.expect("body");
            assert!(csrf_token_in(&page).is_some(), "no token on {path}");
        }
    }
}

async fn session_rows(app: &TestApp) -> u64 {
    session::Entity::find()
        .count(&app.db)
        .await
        .expect("count sessions")
}

#[actix_web::test]
async fn anonymous_visits_to_the_forms_leave_no_session_row() {
    let app = spawn_app().await;
    visit_forms_anonymously(&app.address).await;
    let rows = session_rows(&app).await;
    eprintln!(
        "{} anonymous GETs of /log_in/ and /sign_up/: {rows} session rows",
        2 * VISITS
    );
    assert_eq!(rows, 0);
    // The count does see sessions: a login makes exactly one.
    app.logged_in("alice").await;
    assert_eq!(session_rows(&app).await, 1);
}

#[actix_web::test]
async fn anonymous_visits_to_the_forms_leave_no_session_key_in_redis() {
    let test = "anonymous_visits_to_the_forms_leave_no_session_key_in_redis";
    let Some(url) = redis_url(test) else {
        return;
    };
    let prefix = format!("test-{}", token::random(10));
    let app = spawn_app_with(|config| {
        config.redis_url = Some(url.clone());
        config.redis_prefix = prefix.clone();
    })
    .await;
    wait_until_the_forms_answer(&app).await;
    let mut redis = redis::Client::open(url.as_str())
        .expect("Redis URL")
        .get_multiplexed_async_connection()
        .await
        .expect("connect to Redis");
    let pattern = format!("{prefix}:session:*");
    visit_forms_anonymously(&app.address).await;
    let keys = keys_matching(&mut redis, &pattern).await;
    eprintln!(
        "{} anonymous GETs of /log_in/ and /sign_up/ in cluster mode: {keys} keys under {prefix}:session:",
        2 * VISITS
    );
    assert_eq!(keys, 0);
    assert_eq!(session_rows(&app).await, 0);
    // In cluster mode too, a login is kept in the shared database, not in
    // Redis (which may lose its memory).
    app.logged_in("alice").await;
    assert_eq!(session_rows(&app).await, 1, "a login's session is counted");
    assert_eq!(keys_matching(&mut redis, &pattern).await, 0);
    app.stop().await;
}

async fn keys_matching(redis: &mut redis::aio::MultiplexedConnection, pattern: &str) -> usize {
    redis::cmd("KEYS")
        .arg(pattern)
        .query_async::<Vec<String>>(redis)
        .await
        .expect("KEYS")
        .len()
}

/// A cluster node's forms answer once its session store is connected.
async fn wait_until_the_forms_answer(app: &TestApp) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.browser().get("/log_in/").await.status() != 200 {
        assert!(std::time::Instant::now() < deadline, "never ready");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn each_page_masks_the_token_anew_and_every_mask_is_accepted() {
    let app = spawn_app().await;
    let browser = app.browser();
    let first = browser.csrf_token("/sign_up/").await;
    let second = browser.csrf_token("/sign_up/").await;
    assert_ne!(
        first, second,
        "the same token twice: not masked per response"
    );
    for (name, token) in [("masked1", &first), ("masked2", &second)] {
        let response = browser
            .post(
                "/sign_up/",
                &[
                    ("username", name),
                    ("password1", PASSWORD),
                    ("password2", PASSWORD),
                    ("csrfmiddlewaretoken", token),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "{name}");
    }
}

#[actix_web::test]
async fn a_token_without_its_cookie_gets_403() {
    let app = spawn_app().await;
    let token = app.browser().csrf_token("/log_in/").await;
    let cookieless = reqwest::Client::new();
    let response = cookieless
        .post(format!("{}/log_in/", app.address))
        .form(&[
            ("username", "alice"),
            ("password", PASSWORD),
            ("csrfmiddlewaretoken", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

#[actix_web::test]
async fn a_csrf_cookie_the_server_did_not_sign_gets_403() {
    let app = spawn_app().await;
    app.browser().sign_up("alice", PASSWORD).await;
    let forger = app.browser();
    let secret = token::random(32);
    forger.jar.add_cookie_str(
        &format!("csrftoken={secret}"),
        &app.address.parse().unwrap(),
    );
    // The mask "aaa…" leaves the secret as it is, so this token matches
    // the forged cookie: only the signature can refuse it.
    let matching = format!("{}{secret}", "a".repeat(32));
    let response = forger
        .post(
            "/log_in/",
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("csrfmiddlewaretoken", &matching),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);
}

#[actix_web::test]
async fn a_token_from_before_login_is_refused_after_it() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser.sign_up("alice", PASSWORD).await;
    let anonymous = browser.csrf_token("/log_in/").await;
    assert_eq!(browser.log_in("alice", PASSWORD).await.status(), 303);
    let stale = browser
        .post("/log_out/", &[("csrfmiddlewaretoken", &anonymous)])
        .await;
    assert_eq!(stale.status(), 403);
    assert_eq!(browser.get("/").await.status(), 200, "still logged in");
    // The log-out button on the list carries the new token.
    assert_eq!(browser.log_out().await.status(), 303);
    assert_eq!(browser.get("/").await.status(), 303, "logged out");
}

#[actix_web::test]
async fn logging_out_changes_the_token() {
    let app = spawn_app().await;
    let browser = app.logged_in("alice").await;
    let logged_in = csrf_token_in(&browser.page("/").await).expect("token on /");
    assert_eq!(browser.log_out().await.status(), 303);
    let response = browser
        .post(
            "/log_in/",
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("csrfmiddlewaretoken", &logged_in),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);
    // The confirm page's form works too.
    assert_eq!(browser.log_in("alice", PASSWORD).await.status(), 303);
    let confirm = browser.csrf_token("/log_out/").await;
    let out = browser
        .post("/log_out/", &[("csrfmiddlewaretoken", &confirm)])
        .await;
    assert_eq!(out.status(), 303);
    assert_eq!(browser.get("/").await.status(), 303);
}
