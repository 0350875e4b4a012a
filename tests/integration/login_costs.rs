//! What hostile logins cost: a name that cannot exist is refused before
//! any look-up, counter or log line; an attempt is counted before bcrypt
//! runs, so concurrency gains nothing; the bcrypt queue is bounded; and a
//! password stored at another cost is rehashed at the next login.
//!
//! The figures come from real `presence` processes, whose metrics and
//! memory are their own (in-process servers share one recorder).

use futures_util::{StreamExt, stream};

use crate::support::{
    PASSWORD,
    app::{spawn_on, test_config},
    db::TestDb,
    metrics::metric,
    process::ServerProcess,
};

/// How many oversized logins the flood sends.
const OVERSIZED: usize = 1500;

#[actix_web::test]
async fn oversized_usernames_cost_no_counter_no_log_line_and_no_bcrypt() {
    let data = TestDb::fresh().await;
    let server = ServerProcess::start_logging(&data.url, &[("RUST_LOG", "info")]).await;
    let browser = server.browser();
    // One ordinary failure: a count for the name at this address, and one
    // for the address.
    assert_eq!(
        browser.log_in("someone", "wrong-password").await.status(),
        200
    );
    let token = browser.csrf_token("/log_in/").await;
    let rss_before = server.rss_kib();
    let marker = "0versized";
    let statuses: Vec<u16> = stream::iter(0..OVERSIZED)
        .map(|i| {
            let username = format!("{marker}{i:06}{}", "x".repeat(16_000));
            let token = token.clone();
            let browser = &browser;
            async move {
                browser
                    .post(
                        "/log_in/",
                        &[
                            ("username", username.as_str()),
                            ("password", "wrong-password"),
                            ("csrfmiddlewaretoken", token.as_str()),
                        ],
                    )
                    .await
                    .status()
                    .as_u16()
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let rss_after = server.rss_kib();
    let scrape = server.scrape().await;
    let checks = metric(&scrape, "presence_password_checks_total", &[]);
    let keys = metric(&scrape, "presence_throttle_keys", &[]);
    eprintln!(
        "{OVERSIZED} logins with 16 KB usernames: RSS {rss_before} -> {rss_after} KiB \
         ({:+} KiB), throttle keys {keys}, bcrypt checks {checks}",
        i64::try_from(rss_after).unwrap() - i64::try_from(rss_before).unwrap()
    );
    assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
    let logs = server.stop_and_collect_logs();
    let leaked = logs.iter().filter(|line| line.contains(marker)).count();
    assert_eq!(leaked, 0, "log lines carry an oversized username");
    assert_eq!(checks, 1.0, "only the ordinary failure reached bcrypt");
    assert_eq!(
        keys, 2.0,
        "the throttle holds more than the ordinary failure"
    );
}

#[actix_web::test]
async fn concurrent_wrong_passwords_for_one_user_reach_bcrypt_at_most_limit_times() {
    const ATTEMPTS: usize = 30;
    let data = TestDb::fresh().await;
    // A cost at which each check takes long enough for the attempts to
    // overlap.
    let server = ServerProcess::start(&data.url, &[("BCRYPT_COST", "8")]).await;
    let browser = server.browser();
    assert_eq!(browser.sign_up("alice", PASSWORD).await.status(), 303);
    let token = browser.csrf_token("/log_in/").await;
    let before = metric(
        &server.scrape().await,
        "presence_password_checks_total",
        &[],
    );
    let attempts = (0..ATTEMPTS).map(|_| async { wrong_password(&browser, &token).await });
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .iter()
        .map(|response| response.status().as_u16())
        .collect();
    let checks = metric(
        &server.scrape().await,
        "presence_password_checks_total",
        &[],
    ) - before;
    let refused = statuses.iter().filter(|status| **status == 200).count();
    let throttled = statuses.iter().filter(|status| **status == 429).count();
    eprintln!(
        "{ATTEMPTS} concurrent wrong passwords for one user (limit 5): {checks} reached bcrypt, \
         {refused} form errors, {throttled} answered 429"
    );
    assert!(checks <= 5.0, "{checks} bcrypt checks for a limit of 5");
    assert_eq!(refused + throttled, ATTEMPTS, "{statuses:?}");
}

#[actix_web::test]
async fn a_full_bcrypt_queue_turns_logins_and_sign_ups_away_with_503() {
    const BURST: usize = 20;
    let data = TestDb::fresh().await;
    let server = ServerProcess::start(
        &data.url,
        &[
            ("BCRYPT_COST", "10"),
            ("BCRYPT_QUEUE_LIMIT", "2"),
            ("LOGIN_FAILURE_LIMIT", "0"),
            ("LOGIN_ADDRESS_FAILURE_LIMIT", "0"),
            ("SIGNUP_LIMIT", "0"),
        ],
    )
    .await;
    let browser = server.browser();
    assert_eq!(browser.sign_up("alice", PASSWORD).await.status(), 303);
    let token = browser.csrf_token("/log_in/").await;
    let logins = (0..BURST).map(|_| async { wrong_password(&browser, &token).await });
    let logins = futures_util::future::join_all(logins).await;
    let names: Vec<String> = (0..BURST).map(|i| format!("newcomer{i}")).collect();
    let sign_ups = names.iter().map(|name| async {
        browser
            .post(
                "/sign_up/",
                &[
                    ("username", name.as_str()),
                    ("password1", PASSWORD),
                    ("password2", PASSWORD),
                    ("csrfmiddlewaretoken", token.as_str()),
                ],
            )
            .await
    });
    let sign_ups = futures_util::future::join_all(sign_ups).await;
    let tally = |responses: &[reqwest::Response], done: u16| {
        let busy: Vec<&reqwest::Response> = responses
            .iter()
            .filter(|response| response.status() == 503)
            .collect();
        assert!(
            busy.iter()
                .all(|response| response.headers().contains_key("retry-after")),
            "a 503 without Retry-After"
        );
        let served = responses
            .iter()
            .filter(|response| response.status() == done)
            .count();
        assert_eq!(busy.len() + served, responses.len());
        (served, busy.len())
    };
    let (logins_served, logins_busy) = tally(&logins, 200);
    let (sign_ups_served, sign_ups_busy) = tally(&sign_ups, 303);
    let refusals = metric(
        &server.scrape().await,
        "presence_password_queue_refusals_total",
        &[],
    );
    eprintln!(
        "bcrypt queue of 2 at cost 10, {BURST} concurrent logins: {logins_served} checked, \
         {logins_busy} answered 503; {BURST} concurrent sign-ups: {sign_ups_served} created, \
         {sign_ups_busy} answered 503; refusals counted: {refusals}"
    );
    assert!(logins_busy > 0 && logins_served > 0);
    assert!(sign_ups_busy > 0 && sign_ups_served > 0);
    assert_eq!(refusals, (logins_busy + sign_ups_busy) as f64);
}

async fn stored(db: &sea_orm::DatabaseConnection) -> String {
    presence::users::find_by_name(db, "alice")
        .await
        .unwrap()
        .expect("alice")
        .password_hash
}

#[actix_web::test]
async fn a_successful_login_rehashes_a_password_stored_at_another_cost() {
    let data = TestDb::fresh().await;
    let cheap = spawn_on(test_config(&data.url), None).await;
    assert_eq!(
        cheap.browser().sign_up("alice", PASSWORD).await.status(),
        303
    );
    assert!(stored(&cheap.db).await.starts_with("$2b$04$"));
    cheap.stop().await;

    let mut config = test_config(&data.url);
    config.bcrypt_cost = 5;
    let dearer = spawn_on(config, None).await;
    assert_eq!(
        dearer.browser().log_in("alice", PASSWORD).await.status(),
        303
    );
    let rehashed = stored(&dearer.db).await;
    assert!(rehashed.starts_with("$2b$05$"), "still {rehashed}");
    assert_eq!(
        dearer.browser().log_in("alice", PASSWORD).await.status(),
        303,
        "the new hash does not verify"
    );
}

/// Alice's login with a wrong password.
async fn wrong_password(browser: &crate::support::Browser, token: &str) -> reqwest::Response {
    browser
        .post(
            "/log_in/",
            &[
                ("username", "alice"),
                ("password", "wrong-password"),
                ("csrfmiddlewaretoken", token),
            ],
        )
        .await
}
