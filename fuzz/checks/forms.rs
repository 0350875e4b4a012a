//! The checks of the `forms` fuzz target, as plain functions.
//!
//! Form bodies and query strings, as the handlers read them: bytes through
//! `serde_urlencoded` (what actix-web's `web::Form` and `web::Query` use)
//! into the form structs, then the validation every handler runs. Besides
//! "no panic", it checks what the types promise: a parsed username is its
//! trimmed input within the rules, a valid sign-up has a password that meets
//! the rules, and a `next` that parses never leaves the site.
//!
//! Two crates include this file with `#[path]`: the fuzz target
//! (`fuzz/fuzz_targets/forms.rs`, on nightly flags) and the integration test
//! `tests/integration/corpus.rs`, which replays the committed corpus on
//! stable Rust in every `cargo test`. So it may only use crates both have:
//! `presence`, `actix-http`, `serde_urlencoded` and `url`.

use actix_http::header::HeaderValue;
use presence::auth::{
    Password, Username,
    log_in::{LogInForm, NextQuery},
    log_out::LogOutForm,
    next::NextPath,
    sign_up::{self, SignUpForm},
};
use url::Url;

/// Runs one input through every form parser and checks what each promises.
/// Panics (with the input in the message) when a promise is broken.
pub fn check(data: &[u8]) {
    if let Ok(form) = serde_urlencoded::from_bytes::<SignUpForm>(data)
        && let Ok((username, password)) = sign_up::validate(&form)
    {
        assert_eq!(username.as_str(), form.username.trim());
        assert_eq!(password.expose(), form.password1);
        assert_eq!(form.password1, form.password2);
        check_password(password.expose(), &form.username);
    }
    if let Ok(form) = serde_urlencoded::from_bytes::<LogInForm>(data) {
        check_username(&form.username);
        check_next(&form.next);
        // Reading every field is part of the test: nothing in them may be
        // left in a state that panics on use.
        let _ = form.password.len() + form.csrfmiddlewaretoken.len();
    }
    if let Ok(form) = serde_urlencoded::from_bytes::<LogOutForm>(data) {
        let _ = form.csrfmiddlewaretoken.len();
    }
    if let Ok(query) = serde_urlencoded::from_bytes::<NextQuery>(data) {
        check_next(&query.next);
    }
    // The raw text too, as if it were one field: the fuzzer reaches the
    // parsers' edge cases faster without the form encoding in the way.
    if let Ok(text) = std::str::from_utf8(data) {
        check_username(text);
        check_next(text);
        // A NUL splits a password from the username it is compared with.
        let (password, username) = text.split_once('\0').unwrap_or((text, ""));
        if let Ok(parsed) = Password::parse(password.to_owned(), username) {
            assert_eq!(parsed.expose(), password);
            check_password(password, username);
        }
    }
}

/// A username that parses is 1 to 150 allowed characters, parses again
/// to itself, and is its trimmed input where that is ASCII (elsewhere its
/// NFKC form).
fn check_username(raw: &str) {
    if let Ok(parsed) = Username::parse(raw) {
        assert_eq!(Username::parse(parsed.as_str()).as_ref(), Ok(&parsed));
        let name = parsed.as_str();
        if raw.is_ascii() {
            assert_eq!(name, raw.trim());
        }
        assert!((1..=150).contains(&name.chars().count()), "{raw:?}");
        assert!(
            name.chars()
                .all(|c| c.is_alphanumeric() || "@.+-_".contains(c)),
            "{raw:?}"
        );
    }
}

/// An accepted password: 8+ characters, at most 72 bytes, not all digits,
/// not the username.
fn check_password(password: &str, username: &str) {
    assert!(password.chars().count() >= 8, "{password:?}");
    assert!(password.len() <= 72, "{password:?}");
    assert!(
        !password.chars().all(|c| c.is_ascii_digit()),
        "{password:?}"
    );
    assert_ne!(password.to_lowercase(), username.trim().to_lowercase());
}

/// A `next` that parses resolves to this site, and can be sent as a
/// `Location` header (actix answers 500 for an invalid header value).
fn check_next(raw: &str) {
    let Some(next) = NextPath::parse(raw) else {
        return;
    };
    assert_eq!(next.as_str(), raw);
    // Resolved as a browser resolves a `Location`, against a plain base and
    // one with a port, a path, a query and a fragment.
    for base in ["http://app.example/", "https://app.example:8443/a/b?c#d"] {
        let base = Url::parse(base).expect("base URL");
        let target = base
            .join(raw)
            .unwrap_or_else(|err| panic!("{raw:?} does not resolve: {err}"));
        assert_eq!(target.scheme(), base.scheme(), "{raw:?} -> {target}");
        assert_eq!(
            target.host_str(),
            Some("app.example"),
            "{raw:?} -> {target}"
        );
        assert_eq!(target.port(), base.port(), "{raw:?} -> {target}");
    }
    assert!(
        HeaderValue::from_str(raw).is_ok(),
        "{raw:?} is no header value"
    );
}
