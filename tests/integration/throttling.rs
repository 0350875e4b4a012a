//! Login and sign-up throttling against the real server: the limits hold
//! per username and address, a success resets them, and a throttled
//! attempt never reaches bcrypt.

use crate::support::{
    PASSWORD,
    metrics::{metric, scrape},
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
