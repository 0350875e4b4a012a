//! Behind a reverse proxy: Debian's nginx, configured by the README's
//! "Behind a reverse proxy" block, in front of the app with
//! `TRUST_PROXY=true`. Sign-up, login and live presence over the proxied
//! WebSocket work; the origin check, `Secure` cookies, HSTS and the rate
//! limits see the real client. The last tests talk to the app directly,
//! as proxies that write `X-Forwarded-For` differently from nginx would.

use std::net::IpAddr;

use reqwest::StatusCode;

use crate::support::{
    Browser, PASSWORD, TestSocket, app::TestApp, nginx::Nginx, socket::PATIENCE, spawn_app,
    spawn_app_with,
};

/// The app with `TRUST_PROXY=true` and at most `signups` sign-ups per
/// client address, behind nginx; `None` when the test is skipped.
async fn behind_nginx(test: &str, signups: u32) -> Option<(TestApp, Nginx)> {
    let app = spawn_app_with(|config| {
        config.trust_proxy = true;
        config.signup_limit = signups;
    })
    .await;
    let nginx = Nginx::start(test, app.port).await?;
    Some((app, nginx))
}

/// Signs `name` up through the form, the `POST` carrying these
/// `X-Forwarded-For` lines as the client wrote them.
async fn sign_up_claiming(browser: &Browser, name: &str, forwarded_for: &[&str]) -> StatusCode {
    let token = browser.csrf_token("/sign_up/").await;
    let mut request = browser
        .client()
        .post(format!("{}/sign_up/", browser.address));
    for line in forwarded_for {
        // `header` appends: several lines stay several lines.
        request = request.header("x-forwarded-for", *line);
    }
    request
        .form(&[
            ("username", name),
            ("password1", PASSWORD),
            ("password2", PASSWORD),
            ("csrfmiddlewaretoken", &token),
        ])
        .send()
        .await
        .expect("POST /sign_up/")
        .status()
}

fn loopback(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

#[actix_web::test]
async fn sign_up_log_in_and_live_presence_work_through_nginx() {
    let test = "sign_up_log_in_and_live_presence_work_through_nginx";
    let Some((app, nginx)) = behind_nginx(test, 20).await else {
        return;
    };
    let alice = Browser::new(&nginx.address);
    alice.sign_up_and_log_in("alice").await;
    let mut alices_tab = alice.socket().await;
    alices_tab.snapshot_with(&["alice"]).await;

    let bob = Browser::new(&nginx.address);
    bob.sign_up_and_log_in("bob").await;
    assert!(alices_tab.presence_of("bob").await, "bob came online");
    let mut bobs_tab = bob.socket().await;
    let online = bobs_tab.snapshot_with(&["bob"]).await;
    assert!(online.contains(&"alice".to_owned()), "bob sees {online:?}");

    // Bob closes his only tab: after the grace period he is offline.
    bobs_tab.close().await;
    assert!(
        !alices_tab.presence_of("bob").await,
        "bob went offline, seen through nginx"
    );
    app.wait_online(&["alice"]).await;
    // The socket is still live through the proxy: a ping gets its pong.
    alices_tab.send_text(r#"{"type":"ping"}"#).await;
    assert_eq!(alices_tab.raw_text().await, r#"{"type":"pong"}"#);
    assert!(
        !nginx.error_log().contains("[error]"),
        "{}",
        nginx.error_log()
    );
}

#[actix_web::test]
async fn the_origin_check_holds_through_nginx() {
    let Some((_app, nginx)) = behind_nginx("the_origin_check_holds_through_nginx", 20).await else {
        return;
    };
    let alice = Browser::new(&nginx.address);
    alice.sign_up_and_log_in("alice").await;
    for foreign in ["http://evil.example", "http://127.0.0.1:1"] {
        assert_eq!(
            TestSocket::open(&alice, Some(foreign)).await.err(),
            Some(StatusCode::FORBIDDEN),
            "Origin: {foreign}"
        );
    }
    // The page's own origin, nginx's: the app compares it with the Host
    // nginx passed on.
    let mut tab = TestSocket::open(&alice, Some(&nginx.address))
        .await
        .expect("the app's own origin is accepted through nginx");
    tab.snapshot_with(&["alice"]).await;
}

#[actix_web::test]
async fn https_at_nginx_marks_the_cookie_secure_and_adds_hsts_and_plain_http_does_not() {
    let test = "https_at_nginx_marks_the_cookie_secure_and_adds_hsts_and_plain_http_does_not";
    let Some((_app, nginx)) = behind_nginx(test, 20).await else {
        return;
    };
    let client = reqwest::Client::new();
    let fetch = |address: String| {
        let client = client.clone();
        async move {
            // The client's own claim of HTTPS, which nginx must replace.
            let response = client
                .get(format!("{address}/log_in/"))
                .header("x-forwarded-proto", "https")
                .send()
                .await
                .expect("GET /log_in/ through nginx");
            assert_eq!(response.status(), 200);
            let headers = response.headers();
            (
                headers["set-cookie"].to_str().unwrap().to_owned(),
                headers
                    .get("strict-transport-security")
                    .map(|value| value.to_str().unwrap().to_owned()),
            )
        }
    };
    let (cookie, hsts) = fetch(nginx.https_address.clone()).await;
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert_eq!(hsts.as_deref(), Some("max-age=31536000; includeSubDomains"));

    let (cookie, hsts) = fetch(nginx.address.clone()).await;
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    assert_eq!(hsts, None, "HSTS over plain HTTP");
}

#[actix_web::test]
async fn a_forged_forwarded_for_does_not_escape_the_sign_up_limit_through_nginx() {
    let test = "a_forged_forwarded_for_does_not_escape_the_sign_up_limit_through_nginx";
    let Some((_app, nginx)) = behind_nginx(test, 3).await else {
        return;
    };
    // Two machines, as far as nginx can tell: 127.0.0.2 and 127.0.0.3.
    let forger = Browser::from_local_address(&nginx.address, loopback(2));
    for i in 0..3 {
        let forged = format!("198.51.100.{i}");
        let status = sign_up_claiming(&forger, &format!("user{i}"), &[&forged]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "sign-up {i}");
    }
    for (i, forged) in [
        vec!["198.51.100.77"],
        vec!["203.0.113.1, 198.51.100.78"],
        vec!["203.0.113.2", "198.51.100.79"],
        vec!["garbage"],
    ]
    .iter()
    .enumerate()
    {
        let status = sign_up_claiming(&forger, &format!("late{i}"), forged).await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "X-Forwarded-For: {forged:?}"
        );
    }
    // The limit is the forger's, not everyone's behind nginx.
    let neighbour = Browser::from_local_address(&nginx.address, loopback(3));
    assert_eq!(
        sign_up_claiming(&neighbour, "neighbour", &[]).await,
        StatusCode::SEE_OTHER
    );
}

#[actix_web::test]
async fn a_proxys_own_forwarded_for_line_is_believed_over_the_clients() {
    let app = behind_a_trusted_proxy().await;
    let browser = app.browser();
    // The client's forged line first, then the line a proxy such as
    // HAProxy appends with the address it saw.
    for i in 0..2 {
        let forged = format!("198.51.100.{i}");
        let status =
            sign_up_claiming(&browser, &format!("user{i}"), &[&forged, "203.0.113.9"]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "sign-up {i}");
    }
    let status = sign_up_claiming(&browser, "late", &["198.51.100.50", "203.0.113.9"]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let status = sign_up_claiming(&browser, "other", &["198.51.100.9", "203.0.113.10"]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "another client of the proxy");
}

#[actix_web::test]
async fn forwarded_hops_with_ports_are_keyed_by_their_address() {
    let app = behind_a_trusted_proxy().await;
    let browser = app.browser();
    for i in 0..2 {
        let hop = format!("203.0.113.9:{}", 40_000 + i);
        let status = sign_up_claiming(&browser, &format!("user{i}"), &[&hop]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "sign-up {i}");
    }
    assert_eq!(
        sign_up_claiming(&browser, "late", &["203.0.113.9:50000"]).await,
        StatusCode::TOO_MANY_REQUESTS,
        "another port of the same address"
    );
    for (i, other) in ["203.0.113.10:40000", "[2001:db8::9]:443"]
        .iter()
        .enumerate()
    {
        assert_eq!(
            sign_up_claiming(&browser, &format!("other{i}"), &[other]).await,
            StatusCode::SEE_OTHER,
            "{other} is another client"
        );
    }
}

#[actix_web::test]
async fn hsts_is_sent_over_https_only() {
    async fn hsts(app: &TestApp, proto: Option<&str>) -> Option<String> {
        let mut request = reqwest::Client::new().get(format!("{}/log_in/", app.address));
        if let Some(proto) = proto {
            request = request.header("x-forwarded-proto", proto);
        }
        let response = tokio::time::timeout(PATIENCE, request.send())
            .await
            .expect("an answer")
            .expect("GET /log_in/");
        response
            .headers()
            .get("strict-transport-security")
            .map(|value| value.to_str().unwrap().to_owned())
    }
    let expected = Some("max-age=31536000; includeSubDomains".to_owned());

    let plain = spawn_app().await;
    assert_eq!(hsts(&plain, None).await, None);
    assert_eq!(hsts(&plain, Some("https")).await, None, "untrusted claim");

    let proxied = spawn_app_with(|config| config.trust_proxy = true).await;
    assert_eq!(hsts(&proxied, Some("https")).await, expected);
    assert_eq!(hsts(&proxied, Some("http")).await, None);
    assert_eq!(hsts(&proxied, None).await, None);

    let configured = spawn_app_with(|config| config.cookie_secure = true).await;
    assert_eq!(hsts(&configured, None).await, expected);
}

/// An app that trusts its proxy's forwarded lines and allows two sign-ups
/// per client address.
async fn behind_a_trusted_proxy() -> TestApp {
    spawn_app_with(|config| {
        config.trust_proxy = true;
        config.signup_limit = 2;
    })
    .await
}
