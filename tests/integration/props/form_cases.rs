//! Random HTTP cases for the form handlers: posts with random bodies,
//! tokens and content types; real logins with random `next=`; sign-ups;
//! and login pages with random query strings. Only the generators and
//! types; [`super::forms`] sends them.

use presence::auth::token;
use proptest::prelude::*;
use url::form_urlencoded;

use super::{
    generators::{any_text, next_input, username_input},
    world::{OBSERVER, VICTIM},
};
use crate::support::PASSWORD;

/// The `Content-Type` of a random post: form encoding with and without a
/// charset, a charset the server does not read, none at all, or another type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ContentType {
    /// `application/x-www-form-urlencoded`, as browsers send it.
    Form,
    /// The same with `charset=utf-8`.
    FormUtf8,
    /// The same with a charset the server does not decode as UTF-8.
    FormLatin1,
    /// The same with a charset that does not exist.
    BogusCharset,
    /// No `Content-Type` header.
    Missing,
    /// `text/plain`.
    Text,
    /// `application/json`.
    Json,
}

impl ContentType {
    /// The header value, or `None` to send no `Content-Type`.
    pub(super) fn header(self) -> Option<&'static str> {
        match self {
            Self::Form => Some("application/x-www-form-urlencoded"),
            Self::FormUtf8 => Some("application/x-www-form-urlencoded; charset=utf-8"),
            Self::FormLatin1 => Some("application/x-www-form-urlencoded; charset=iso-8859-1"),
            Self::BogusCharset => Some("application/x-www-form-urlencoded; charset=bogus"),
            Self::Missing => None,
            Self::Text => Some("text/plain"),
            Self::Json => Some("application/json"),
        }
    }

    /// Whether the server reads the body as UTF-8 form data.
    pub(super) fn is_utf8_form(self) -> bool {
        matches!(self, Self::Form | Self::FormUtf8)
    }
}

/// The CSRF token field of a random post.
#[derive(Debug, Clone)]
pub(super) enum Token {
    /// No token field at all.
    Missing,
    /// The session's own token, fetched from the page first.
    Valid,
    /// A token of another session, or junk.
    Wrong(String),
}

/// The body of a random post, before the token field is added.
#[derive(Debug, Clone)]
pub(super) enum Body {
    /// Arbitrary bytes.
    Raw(Vec<u8>),
    /// Something shaped like form encoding, often malformed.
    Shaped(String),
    /// Properly encoded pairs with random names and values.
    Pairs(Vec<(String, String)>),
}

/// One random request to the form handlers.
#[derive(Debug, Clone)]
pub(super) enum HttpCase {
    /// A random POST to one of the three forms.
    Post {
        /// `/sign_up/`, `/log_in/` or `/log_out/`.
        path: &'static str,
        /// The body before the token.
        body: Body,
        /// The token field appended to it.
        token: Token,
        /// The `Content-Type` sent.
        content_type: ContentType,
        /// From a browser with an empty jar instead of the attacker's.
        fresh: bool,
    },
    /// The attacker's real credentials with a random `next`.
    LogIn {
        /// The attacker's name in some casing and padding.
        username: String,
        /// The random `next` field.
        next: String,
    },
    /// A sign-up that may well succeed.
    SignUp {
        /// A random or plausible new name.
        username: String,
        /// Usually the password again, sometimes not.
        password2: String,
    },
    /// `GET /log_in/?{query}`.
    LogInPage {
        /// The raw query string.
        query: String,
    },
}

/// Form field names: mostly the real ones, sometimes near misses or junk.
pub(super) fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec![
            "username",
            "password",
            "password1",
            "password2",
            "next",
            "csrfmiddlewaretoken",
        ])
        .prop_map(str::to_owned),
        1 => prop::sample::select(vec!["username[]", "USERNAME", "", "next ", "a=b"])
            .prop_map(str::to_owned),
        1 => any_text(10),
    ]
}

/// Field values. The attacker's own name is left out on purpose: random
/// failed logins for it would lock it (429) and starve [`HttpCase::LogIn`].
pub(super) fn field_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any_text(40),
        3 => prop::sample::select(vec![
            VICTIM,
            "VICTIM",
            " victim ",
            OBSERVER,
            PASSWORD,
            "",
            "/",
            "//evil.example",
            "https://evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
        ])
        .prop_map(str::to_owned),
        2 => next_input(),
        2 => username_input(),
        1 => ("[a-z]{1,4}", 1000..6000usize).prop_map(|(unit, times)| unit.repeat(times)),
    ]
}

/// Raw bytes, form-shaped text, or well-encoded random fields.
pub(super) fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300).prop_map(Body::Raw),
        "[a-z0-9=&%+/._A-F-]{0,80}".prop_map(Body::Shaped),
        prop::collection::vec((field_name(), field_value()), 0..6).prop_map(Body::Pairs),
    ]
}

/// Any [`HttpCase`], weighted toward random posts.
pub(super) fn http_case() -> impl Strategy<Value = HttpCase> {
    let token = prop_oneof![
        2 => Just(Token::Missing),
        5 => Just(Token::Valid),
        1 => Just(Token::Wrong(token::random(43))),
        1 => any_text(50).prop_map(Token::Wrong),
    ];
    let content_type = prop_oneof![
        8 => Just(ContentType::Form),
        1 => Just(ContentType::FormUtf8),
        1 => Just(ContentType::FormLatin1),
        1 => Just(ContentType::BogusCharset),
        1 => Just(ContentType::Missing),
        1 => Just(ContentType::Text),
        1 => Just(ContentType::Json),
    ];
    let post = (
        prop::sample::select(vec!["/sign_up/", "/log_in/", "/log_out/"]),
        body(),
        token,
        content_type,
        prop::bool::weighted(0.2),
    )
        .prop_map(|(path, body, token, content_type, fresh)| HttpCase::Post {
            path,
            body,
            token,
            content_type,
            fresh,
        });
    let log_in = (
        prop::sample::select(vec!["attacker", "ATTACKER", " Attacker "]),
        next_input(),
    )
        .prop_map(|(username, next)| HttpCase::LogIn {
            username: username.to_owned(),
            next,
        });
    let page = prop_oneof![
        next_input().prop_map(|next| {
            form_urlencoded::Serializer::new(String::new())
                .append_pair("next", &next)
                .finish()
        }),
        next_input().prop_map(|next| format!("next={next}")),
        any_text(40),
        prop::collection::vec((field_name(), next_input()), 0..4).prop_map(|pairs| {
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
        }),
    ]
    .prop_map(|query| HttpCase::LogInPage { query });
    let sign_up = (
        prop_oneof![
            "[a-z]{3,10}[0-9]{0,3}",
            username_input(),
            Just(VICTIM.to_owned())
        ],
        prop_oneof![3 => Just(PASSWORD.to_owned()), 1 => any_text(12)],
    )
        .prop_map(|(username, password2)| HttpCase::SignUp {
            username,
            password2,
        });
    prop_oneof![6 => post, 2 => log_in, 1 => sign_up, 2 => page]
}
