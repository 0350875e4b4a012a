//! Random form bodies and query strings against the real server: each case
//! from [`super::form_cases`] is sent, its answer judged by
//! [`super::answers`], and the victim's presence checked afterwards.

use presence::auth::next::NextPath;
use proptest::{prelude::*, test_runner::TestCaseError};
use url::{Url, form_urlencoded};

use super::{
    answers::{answer, check_answer, escape_html, expected_login_target, rendered_next},
    form_cases::{Body, HttpCase, Token, http_case},
    rules::{password_model, username_model},
    world::{QUIET, World, check_against_world, client_of, fetch_token},
};
use crate::support::PASSWORD;

/// Sends one case as the attacker (or a fresh browser), checks the answer
/// against what the handler must do, then checks the victim.
pub(super) async fn run_http_case(world: &mut World, case: HttpCase) -> Result<(), TestCaseError> {
    let address = world.app.address.clone();
    let what = format!("{case:?}");
    match case {
        HttpCase::Post {
            path,
            body,
            token,
            content_type,
            fresh,
        } => {
            let client = if fresh {
                client_of(&world.app.browser())
            } else {
                client_of(&world.attacker)
            };
            let valid_token = matches!(token, Token::Valid);
            let token = match token {
                Token::Missing => None,
                Token::Valid => Some(fetch_token(&client, &address).await),
                Token::Wrong(junk) => Some(junk),
            };
            let mut bytes = match body {
                Body::Raw(bytes) => bytes,
                Body::Shaped(text) => text.into_bytes(),
                Body::Pairs(pairs) => form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish()
                    .into_bytes(),
            };
            if let Some(token) = &token {
                let field = form_urlencoded::Serializer::new(String::new())
                    .append_pair("csrfmiddlewaretoken", token)
                    .finish();
                bytes.extend_from_slice(b"&");
                bytes.extend_from_slice(field.as_bytes());
            }
            let mut request = client.post(format!("{address}{path}"));
            if let Some(content_type) = content_type.header() {
                request = request.header("content-type", content_type);
            }
            let answer = answer(request.body(bytes.clone()).send().await.expect("POST")).await;
            check_answer(&what, &address, &answer)?;
            if !valid_token {
                // Without this session's token nothing may happen.
                prop_assert!(
                    (400..500).contains(&answer.status),
                    "{what}: {} without a valid token",
                    answer.status
                );
            }
            if let (Some(location), true) = (&answer.location, content_type.is_utf8_form()) {
                let expected = match path {
                    "/log_in/" => expected_login_target(&bytes),
                    _ => "/log_in/".to_owned(),
                };
                prop_assert_eq!(location, &expected, "{}", what);
            }
        }
        HttpCase::LogIn { username, next } => {
            let response = world
                .attacker
                .submit(
                    "/log_in/",
                    &[
                        ("username", &username),
                        ("password", PASSWORD),
                        ("next", &next),
                    ],
                )
                .await;
            let answer = answer(response).await;
            check_answer(&what, &address, &answer)?;
            prop_assert!(
                [303, 429].contains(&answer.status),
                "{what}: a correct login answered {}",
                answer.status
            );
            if answer.status == 303 {
                let expected = NextPath::parse(&next)
                    .map_or_else(|| "/".to_owned(), |next| next.as_str().to_owned());
                prop_assert_eq!(answer.location, Some(expected), "{}", what);
            }
        }
        HttpCase::SignUp {
            username,
            password2,
        } => {
            let response = world
                .attacker
                .submit(
                    "/sign_up/",
                    &[
                        ("username", &username),
                        ("password1", PASSWORD),
                        ("password2", &password2),
                    ],
                )
                .await;
            let answer = answer(response).await;
            check_answer(&what, &address, &answer)?;
            let valid = username_model(&username).is_ok()
                && password2 == PASSWORD
                && password_model(PASSWORD, username.trim()).is_empty();
            // 200 for a valid form means the name is taken.
            prop_assert!(
                [200, 303, 429].contains(&answer.status),
                "{what}: {}",
                answer.status
            );
            if answer.status == 303 {
                prop_assert!(valid, "{what}: an invalid sign-up was accepted");
                prop_assert_eq!(answer.location.as_deref(), Some("/log_in/"));
            }
        }
        HttpCase::LogInPage { query } => {
            let url = Url::parse(&format!("{address}/log_in/?{query}"));
            prop_assume!(url.is_ok());
            let url = url.expect("checked");
            let nexts: Vec<String> = url
                .query_pairs()
                .filter(|(key, _)| key == "next")
                .map(|(_, value)| value.into_owned())
                .collect();
            let client = client_of(&world.attacker);
            let answer = answer(client.get(url.clone()).send().await.expect("GET")).await;
            check_answer(&what, &address, &answer)?;
            if nexts.len() > 1 {
                prop_assert_eq!(
                    answer.status,
                    400,
                    "{} with {} next fields",
                    url,
                    nexts.len()
                );
            } else {
                prop_assert!(
                    [200, 400].contains(&answer.status),
                    "{url}: {}",
                    answer.status
                );
            }
            if answer.status == 200 {
                let raw = nexts.first().map_or("", String::as_str);
                let kept =
                    NextPath::parse(raw).map_or_else(String::new, |next| next.as_str().to_owned());
                let escaped = escape_html(&kept);
                prop_assert_eq!(
                    rendered_next(&answer.body),
                    Some(escaped.as_str()),
                    "{} (next {:?})",
                    url,
                    raw
                );
            }
        }
    }
    world.victim_unchanged(QUIET).await
}

/// Random form posts and login pages: never a 5xx, never a redirect off the
/// site, never a change to the victim's presence.
#[test]
fn random_forms_get_4xx_stay_on_site_and_leave_the_victim_alone() {
    check_against_world(&http_case(), run_http_case);
}
