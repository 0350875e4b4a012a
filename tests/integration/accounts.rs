//! Sign-up, login and logout over HTTP, as a browser does them.

use crate::support::{PASSWORD, spawn_app};

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[actix_web::test]
async fn signing_up_redirects_to_the_login_page_and_creates_the_account() {
    let app = spawn_app().await;
    let browser = app.browser();
    let response = browser.sign_up("michael", PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/log_in/");
    assert_eq!(browser.log_in("michael", PASSWORD).await.status(), 303);
}

#[actix_web::test]
async fn each_sign_up_rule_shows_its_message_and_keeps_the_username() {
    let app = spawn_app().await;
    app.browser().sign_up("Taken", PASSWORD).await;
    let long = "a".repeat(151);
    let cases: &[(&str, &str, &str, &str)] = &[
        ("", PASSWORD, PASSWORD, "This field is required."),
        (
            &long,
            PASSWORD,
            PASSWORD,
            "Ensure this value has at most 150 characters (it has 151).",
        ),
        ("bad name!", PASSWORD, PASSWORD, "Enter a valid username."),
        (
            "taken",
            PASSWORD,
            PASSWORD,
            "A user with that username already exists.",
        ),
        (
            "newbie",
            "abc123x",
            "abc123x",
            "This password is too short.",
        ),
        (
            "newbie",
            "1234567890",
            "1234567890",
            "This password is entirely numeric.",
        ),
        (
            "margaretha",
            "Margaretha",
            "Margaretha",
            "The password is too similar to the username.",
        ),
        (
            "newbie",
            PASSWORD,
            "johnson124",
            "The two password fields didn’t match.",
        ),
        ("newbie", PASSWORD, "", "This field is required."),
    ];
    let browser = app.browser();
    for (username, password1, password2, message) in cases {
        let response = browser
            .submit(
                "/sign_up/",
                &[
                    ("username", username),
                    ("password1", password1),
                    ("password2", password2),
                ],
            )
            .await;
        assert_eq!(response.status(), 200, "{message}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains(message),
            "expected {message:?} for {username:?}"
        );
        assert!(
            page.contains(&format!(r#"value="{}""#, tera::escape_html(username))),
            "username not kept"
        );
        if !password1.is_empty() && password1 != username {
            assert!(!page.contains(password1), "the password was echoed back");
        }
    }
    // None of the refused forms created an account.
    assert_eq!(browser.log_in("newbie", PASSWORD).await.status(), 200);
}

#[actix_web::test]
async fn a_wrong_password_re_renders_the_form_with_the_username() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser.sign_up("alice", PASSWORD).await;
    let response = browser.log_in("alice", "wrong-password").await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("Please enter a correct username and password."));
    assert!(page.contains(r#"value="alice""#));
    assert!(!page.contains("wrong-password"));
    let unknown = browser
        .log_in("nobody", PASSWORD)
        .await
        .text()
        .await
        .unwrap();
    assert!(unknown.contains("Please enter a correct username and password."));
}

#[actix_web::test]
async fn login_ignores_the_case_of_the_username() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser.sign_up("Alice", PASSWORD).await;
    assert_eq!(browser.log_in("aLiCe", PASSWORD).await.status(), 303);
    assert!(
        browser
            .page("/")
            .await
            .contains("Logged in as <strong>Alice</strong>")
    );
}

#[actix_web::test]
async fn login_follows_a_local_next_and_ignores_a_foreign_one() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser.sign_up("alice", PASSWORD).await;
    for (next, expected) in [
        ("/?tab=2", "/?tab=2"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil", "/"),
    ] {
        let response = browser
            .submit(
                "/log_in/",
                &[
                    ("username", "alice"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), expected, "next={next}");
    }
    // The page carries ?next= into the form.
    let page = browser.page("/log_in/?next=%2Fusers%2F").await;
    assert!(page.contains(r#"name="next" value="&#x2F;users&#x2F;""#));
}

#[actix_web::test]
async fn the_list_needs_a_login() {
    let app = spawn_app().await;
    let response = app.browser().get("/").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/log_in/?next=/");
}

#[actix_web::test]
async fn a_post_without_a_valid_csrf_token_gets_403() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser.sign_up("alice", PASSWORD).await;
    browser.page("/log_in/").await; // a session with a token exists
    for path in ["/sign_up/", "/log_in/", "/log_out/"] {
        let missing = browser
            .post(path, &[("username", "alice"), ("password", PASSWORD)])
            .await;
        assert_eq!(missing.status(), 403, "{path} without token");
        let wrong = browser
            .post(
                path,
                &[
                    ("username", "alice"),
                    ("password", PASSWORD),
                    ("csrfmiddlewaretoken", "forged"),
                ],
            )
            .await;
        assert_eq!(wrong.status(), 403, "{path} with a forged token");
    }
    // Another browser's token is no good either: tokens are bound to sessions.
    let other = app.browser();
    let token = other.csrf_token("/log_in/").await;
    let stolen = browser
        .post(
            "/log_in/",
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("csrfmiddlewaretoken", &token),
            ],
        )
        .await;
    assert_eq!(stolen.status(), 403);
}

#[actix_web::test]
async fn a_form_body_over_16_kib_gets_413() {
    let app = spawn_app().await;
    let browser = app.browser();
    let token = browser.csrf_token("/log_in/").await;
    let body = format!(
        "csrfmiddlewaretoken={token}&username={}",
        "a".repeat(17 * 1024)
    );
    let response = browser.post_raw("/log_in/", body.into_bytes()).await;
    assert_eq!(response.status(), 413);
    assert!(response.text().await.unwrap().contains("too large"));
}

#[actix_web::test]
async fn logging_in_renews_the_session_cookie() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser.sign_up("alice", PASSWORD).await;
    browser.page("/log_in/").await;
    let before = browser.cookie_header().expect("anonymous session cookie");
    assert_eq!(browser.log_in("alice", PASSWORD).await.status(), 303);
    let after = browser.cookie_header().expect("session cookie");
    assert_ne!(before, after);

    // The cookie held before the login does not authenticate.
    let fixated = app.browser();
    fixated
        .jar
        .add_cookie_str(&before, &app.address.parse().unwrap());
    assert_eq!(fixated.get("/").await.status(), 303);
    assert_eq!(browser.get("/").await.status(), 200);
}

#[actix_web::test]
async fn a_cookie_copied_before_logout_is_revoked_by_it() {
    let app = spawn_app().await;
    let browser = app.logged_in("alice").await;
    let copy = app.browser();
    for cookie in browser.cookie_header().unwrap().split("; ") {
        copy.jar
            .add_cookie_str(cookie, &app.address.parse().unwrap());
    }
    assert_eq!(copy.get("/").await.status(), 200);

    let response = browser.log_out().await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/log_in/");
    assert_eq!(
        copy.get("/").await.status(),
        303,
        "the copied cookie still works"
    );
    assert_eq!(browser.get("/").await.status(), 303);
}

#[actix_web::test]
async fn get_log_out_only_asks_for_confirmation() {
    let app = spawn_app().await;
    let browser = app.logged_in("alice").await;
    let response = browser.get("/log_out/").await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains(r#"action="/log_out/" method="post""#)
    );
    let page = browser.get("/").await;
    assert_eq!(page.status(), 200, "GET /log_out/ logged the user out");
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Logged in as <strong>alice</strong>")
    );
}

#[actix_web::test]
async fn malformed_and_unknown_requests_get_clear_4xx_pages() {
    let app = spawn_app().await;
    let browser = app.browser();
    let missing = browser.get("/no/such/page").await;
    assert_eq!(missing.status(), 404);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("There is no page at this address.")
    );
    let token = browser.csrf_token("/log_in/").await;
    let garbage = browser
        .post_raw(
            "/log_in/",
            format!("csrfmiddlewaretoken={token}&username=%FF%FE&password=x").into_bytes(),
        )
        .await;
    assert!(
        garbage.status().is_client_error() || garbage.status() == 200,
        "{}",
        garbage.status()
    );
    let bad_query = browser.get("/log_in/?next=%ZZ").await;
    assert!(bad_query.status().is_client_error() || bad_query.status() == 200);
}
