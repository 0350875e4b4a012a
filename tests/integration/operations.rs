//! Operating presence against the real server: health, metrics, security
//! headers and logs. Throttling and slow consumers have their own modules.

use std::time::Duration;

use crate::support::{
    app::{spawn_on, test_config},
    db::TestDb,
    metrics::{metric, scrape},
    process::ServerProcess,
    services::OwnRedis,
    spawn_app, spawn_app_with,
};

#[actix_web::test]
async fn healthz_is_200_while_the_database_answers_and_503_naming_it_when_not() {
    let app = spawn_app().await;
    let response = app.browser().get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["redis"], "disabled");

    app.db.clone().close().await.unwrap();
    let response = app.browser().get("/healthz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["failed"], serde_json::json!(["database"]));
    assert!(body["database"].as_str().unwrap().starts_with("error"));
}

#[actix_web::test]
async fn healthz_names_redis_when_a_cluster_node_cannot_reach_it() {
    if !OwnRedis::available() {
        eprintln!("SKIPPED healthz_names_redis: redis-server is not installed");
        return;
    }
    let mut redis = OwnRedis::reserve(); // not running
    let data = TestDb::fresh().await;
    let mut config = test_config(&data.url);
    config.redis_url = Some(redis.url());
    let app = spawn_on(config, None).await;
    let response = app.browser().get("/healthz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["failed"], serde_json::json!(["redis"]));
    redis.start();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while app.browser().get("/healthz").await.status() != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "never healthy after Redis came up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn the_metrics_scrape_shows_the_counters_moving() {
    let app = spawn_app().await;
    let before = scrape(&app).await;
    let alice = app.logged_in("alice").await;
    alice.log_in("alice", "wrong-password").await;
    let mut tab = alice.socket().await;
    tab.snapshot_with(&["alice"]).await;
    let _bob = app.logged_in("bob").await; // one more presence event
    assert!(tab.presence_of("bob").await);

    let after = scrape(&app).await;
    for (name, labels) in [
        ("presence_logins_total", &[r#"outcome="success""#][..]),
        ("presence_logins_total", &[r#"outcome="failure""#][..]),
        ("presence_frames_sent_total", &[][..]),
        (
            "presence_http_requests_total",
            &[r#"route="/log_in/""#, r#"status="303""#][..],
        ),
        ("presence_hub_event_latency_seconds_count", &[][..]),
        ("presence_password_checks_total", &[][..]),
    ] {
        assert!(
            metric(&after, name, labels) > metric(&before, name, labels),
            "{name} {labels:?} did not move"
        );
    }
    // Several test servers share this process's recorder: find ours.
    let health: serde_json::Value = app.browser().get("/healthz").await.json().await.unwrap();
    let node = format!(r#"node="{}""#, health["node_id"].as_str().unwrap());
    assert_eq!(metric(&after, "presence_open_sockets", &[&node]), 1.0);
    assert_eq!(metric(&after, "presence_online_users", &[&node]), 2.0);
    for name in [
        "presence_online_users",
        "presence_hub_mailbox_depth",
        "presence_sockets_closed_total",
        "presence_frames_dropped_total",
    ] {
        assert!(
            after.contains(&format!("# HELP {name}")) || after.contains(name),
            "{name} missing"
        );
    }
}

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let alice = app.logged_in("alice").await;
    for path in [
        "/",
        "/log_in/",
        "/sign_up/",
        "/static/presence.js",
        "/no/such/page",
        "/healthz",
    ] {
        let response = alice.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
    }
    let page = alice.page("/").await;
    assert!(
        !page.contains("<script>") && !page.contains(" style="),
        "inline script or style"
    );
}

#[actix_web::test]
async fn cookies_are_secure_when_configured_or_behind_a_trusted_https_proxy() {
    let plain = spawn_app().await;
    let cookie = set_cookie(&plain, None).await;
    assert!(!cookie.contains("Secure"), "{cookie}");

    let configured = spawn_app_with(|config| config.cookie_secure = true).await;
    assert!(set_cookie(&configured, None).await.contains("Secure"));

    let proxied = spawn_app_with(|config| config.trust_proxy = true).await;
    assert!(set_cookie(&proxied, Some("https")).await.contains("Secure"));
    assert!(!set_cookie(&proxied, Some("http")).await.contains("Secure"));
    // An untrusted header changes nothing.
    assert!(!set_cookie(&plain, Some("https")).await.contains("Secure"));
}

async fn set_cookie(app: &crate::support::app::TestApp, proto: Option<&str>) -> String {
    let browser = app.browser();
    let mut request = browser.client().get(format!("{}/log_in/", app.address));
    if let Some(proto) = proto {
        request = request.header("x-forwarded-proto", proto);
    }
    let response = request.send().await.unwrap();
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn json_logs_carry_a_request_id_on_every_request_and_socket_line() {
    let data = TestDb::fresh().await;
    let server =
        ServerProcess::start_logging(&data.url, &[("LOG_FORMAT", "json"), ("RUST_LOG", "info")])
            .await;
    let alice = server.browser();
    alice.sign_up_and_log_in("alice").await;
    let tab = alice.socket().await;
    tab.close().await;
    let lines = server.stop_and_collect_logs();
    let parsed: Vec<serde_json::Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let about_requests: Vec<&serde_json::Value> = parsed
        .iter()
        .filter(|line| {
            let message = line["fields"]["message"].as_str().unwrap_or_default();
            message.starts_with("HTTP ") || message.starts_with("WebSocket ")
        })
        .collect();
    assert!(about_requests.len() >= 6, "{lines:?}");
    for line in about_requests {
        let id = line["fields"]["request_id"]
            .as_str()
            .or(line["span"]["request_id"].as_str());
        assert!(id.is_some_and(|id| id.len() == 12), "no request id: {line}");
    }
}
