//! Login and sign-up throttling against the real server: the limits hold
//! per username and address, a success resets them, and a throttled
//! attempt never reaches bcrypt.

use crate::support::{
    PASSWORD,
    db::TestDb,
    metrics::{metric, scrape},
    process::ServerProcess,
    services::redis_url,
    spawn_app, spawn_app_with,
};

#[actix_web::test]
async fn five_failed_logins_throttle_that_username_from_that_address_only() {
    let app = spawn_app_with(|config| config.trust_proxy = true).await;
    app.browser().sign_up("alice", PASSWORD).await;
    app.browser().sign_up("bob", PASSWORD).await;
    let attacker = app.browser();
    for attempt in 1..=5 {
        let response = attacker.log_in("alice", "wrong-password").await;
        assert_eq!(response.status(), 200, "attempt {attempt}");
    }
    let checks = metric(&scrape(&app).await, "presence_password_checks_total", &[]);
    let blocked = attacker.log_in("alice", PASSWORD).await;
    assert_eq!(blocked.status(), 429);
    let retry_after: u64 = blocked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (250..=300).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    // Throttled attempts never reach bcrypt.
    for _ in 0..3 {
        assert_eq!(
            attacker.log_in("alice", "wrong-password").await.status(),
            429
        );
    }
    let after = scrape(&app).await;
    assert_eq!(
        metric(&after, "presence_password_checks_total", &[]),
        checks
    );
    assert!(metric(&after, "presence_logins_total", &[r#"outcome="throttled""#]) >= 4.0);

    // Someone else's failures lock nobody else out.
    assert_eq!(attacker.log_in("bob", PASSWORD).await.status(), 303);
    let elsewhere = app.browser();
    let token = elsewhere.csrf_token("/log_in/").await;
    let response = elsewhere
        .client()
        .post(format!("{}/log_in/", app.address))
        .header("x-forwarded-for", "203.0.113.7")
        .form(&[
            ("username", "alice"),
            ("password", PASSWORD),
            ("csrfmiddlewaretoken", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        303,
        "alice from another address is locked out"
    );
}

#[actix_web::test]
async fn a_successful_login_resets_the_failure_count() {
    let app = spawn_app().await;
    app.browser().sign_up("alice", PASSWORD).await;
    let browser = app.browser();
    for _ in 0..4 {
        browser.log_in("alice", "wrong-password").await;
    }
    assert_eq!(browser.log_in("alice", PASSWORD).await.status(), 303);
    for _ in 0..4 {
        assert_eq!(
            browser.log_in("alice", "wrong-password").await.status(),
            200
        );
    }
}

#[actix_web::test]
async fn sign_ups_are_limited_per_address() {
    let app = spawn_app_with(|config| config.signup_limit = 3).await;
    let browser = app.browser();
    for i in 0..3 {
        assert_eq!(
            browser
                .sign_up(&format!("user{i}"), PASSWORD)
                .await
                .status(),
            303
        );
    }
    let refused = browser.sign_up("user3", PASSWORD).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(
        app.browser().log_in("user3", PASSWORD).await.status(),
        200,
        "user3 was created"
    );
}

#[actix_web::test]
async fn failures_across_usernames_are_budgeted_per_address_and_per_ipv6_64() {
    let data = TestDb::fresh().await;
    let server = ServerProcess::start(
        &data.url,
        &[
            ("TRUST_PROXY", "true"),
            ("LOGIN_ADDRESS_FAILURE_LIMIT", "3"),
        ],
    )
    .await;
    let browser = server.browser();
    let token = browser.csrf_token("/log_in/").await;
    let attempt = async |from: &str, username: &str| {
        browser
            .client()
            .post(format!("{}/log_in/", server.address))
            .header("x-forwarded-for", from)
            .form(&[
                ("username", username),
                ("password", "wrong-password"),
                ("csrfmiddlewaretoken", token.as_str()),
            ])
            .send()
            .await
            .unwrap()
    };
    // Three names from three addresses of one /64: three failures.
    for (from, username) in [
        ("2001:db8:7:1::1", "user1"),
        ("2001:db8:7:1::2", "user2"),
        ("2001:db8:7:1:ffff:ffff:ffff:3", "user3"),
    ] {
        assert_eq!(attempt(from, username).await.status(), 200, "{from}");
    }
    let refused = attempt("2001:db8:7:1::4", "user4").await;
    assert_eq!(refused.status(), 429, "a fourth name from the same /64");
    assert!(refused.headers().contains_key("retry-after"));
    // Another /64, and an IPv4 address, have budgets of their own.
    assert_eq!(attempt("2001:db8:7:2::1", "user5").await.status(), 200);
    assert_eq!(attempt("198.51.100.7", "user6").await.status(), 200);
}

#[actix_web::test]
async fn throttle_keys_in_redis_hold_a_hash_of_the_username_never_the_input() {
    let test = "throttle_keys_in_redis_hold_a_hash_of_the_username_never_the_input";
    let Some(url) = redis_url(test) else {
        return;
    };
    let prefix = format!("test-{}", presence::auth::token::random(10));
    let app = spawn_app_with(|config| {
        config.redis_url = Some(url.clone());
        config.redis_prefix = prefix.clone();
    })
    .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.browser().get("/log_in/").await.status() != 200 {
        assert!(std::time::Instant::now() < deadline, "never ready");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let name = "MalloryTheUnmistakable";
    assert_eq!(
        app.browser().log_in(name, "wrong-password").await.status(),
        200
    );
    let mut redis = redis::Client::open(url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:throttle:*"))
        .query_async(&mut redis)
        .await
        .unwrap();
    eprintln!("throttle keys after one failed login: {keys:?}");
    assert!(!keys.is_empty(), "the failure was not counted in Redis");
    for key in &keys {
        assert!(
            !key.to_lowercase().contains("mallory"),
            "the username is in {key}"
        );
        assert!(key.len() <= prefix.len() + 100, "{key} is long");
    }
    app.stop().await;
}
