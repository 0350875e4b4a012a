//! Properties of the pure parsers: `Username::parse`, `Password::parse`,
//! `NextPath::parse`, `ClientFrame::parse` and `sign_up::validate`. Each
//! never panics and agrees with its model in [`super::rules`]; `NextPath`
//! never resolves off the site. No server: many cases, quickly.

use actix_web::http::header::HeaderValue;
use presence::{
    auth::{
        Password, Username,
        next::NextPath,
        sign_up::{SignUpForm, validate},
    },
    live::protocol::ClientFrame,
};
use proptest::prelude::*;
use serde_json::{Value, json};
use url::Url;

use super::{
    generators::{
        any_text, client_text, json_object, next_input, plain_local_path, username_input,
    },
    pure_config,
    rules::{password_model, ping_model, rank, username_key_model, username_model},
};

// ---------------------------------------------------------------------------
// Username::parse
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(pure_config())]

    /// Never panics, and accepts exactly the names the rules allow, as
    /// their trimmed input in NFKC form.
    #[test]
    fn username_parse_matches_the_rules(raw in username_input()) {
        let parsed = Username::parse(&raw);
        let expected = username_model(&raw);
        match (&parsed, &expected) {
            (Ok(name), Ok(normal)) => {
                prop_assert_eq!(name.as_str(), normal.as_str());
                prop_assert!((1..=150).contains(&name.as_str().chars().count()));
                prop_assert_eq!(name.key(), username_key_model(normal));
                // Parsing is idempotent.
                let again = Username::parse(name.as_str());
                prop_assert_eq!(again.as_ref(), Ok(name));
            }
            (Err(got), Err(want)) => prop_assert_eq!(got, want),
            _ => prop_assert!(false, "{raw:?}: parse gave {parsed:?}, the rules say {expected:?}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Password::parse
// ---------------------------------------------------------------------------

/// A password and a username, often related.
pub(super) fn password_and_username() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        (any_text(90), username_input()),
        ("[0-9]{0,80}", username_input()),
        ("[a-z0-9]{5,10}", "[a-z]{3,8}"),
        ("[a-zA-Z0-9 !é€]{60,80}", "[a-z]{3,8}"),
        // Variations of the username itself.
        ("[a-z]{3,10}(\\.[a-z]{3,10})?", "[0-9]{0,4}", any::<bool>()).prop_map(
            |(name, digits, upper)| {
                let password = if upper {
                    name.to_uppercase()
                } else {
                    name.clone()
                };
                (format!("{password}{digits}"), name)
            }
        ),
        ("[a-z]{3,10}", "[a-z]{3,10}", "[a-z0-9]{0,6}").prop_map(|(first, last, extra)| {
            (format!("{last}{extra}"), format!("{first}.{last}"))
        }),
    ]
}

proptest! {
    #![proptest_config(pure_config())]

    /// Never panics; reports exactly the rules the password breaks; and an
    /// accepted password has 8+ characters, at most 72 bytes, is not all
    /// digits and is not the username.
    #[test]
    fn password_parse_matches_the_rules((raw, username) in password_and_username()) {
        let expected = password_model(&raw, &username);
        match Password::parse(raw.clone(), &username) {
            Ok(password) => {
                prop_assert!(expected.is_empty(), "{raw:?} accepted, but breaks {expected:?}");
                prop_assert_eq!(password.expose(), raw.as_str());
                prop_assert!(raw.chars().count() >= 8);
                prop_assert!(raw.len() <= 72);
                prop_assert!(!raw.chars().all(|c| c.is_ascii_digit()));
                prop_assert_ne!(raw.to_lowercase(), username.trim().to_lowercase());
                prop_assert_eq!(format!("{password:?}"), "Password(…)");
            }
            Err(errors) => {
                let mut got: Vec<u8> = errors.iter().map(rank).collect();
                got.sort_unstable();
                let before = got.len();
                got.dedup();
                prop_assert_eq!(before, got.len(), "duplicate errors {:?}", errors);
                prop_assert_eq!(got, expected, "{:?} for {:?}", raw, username);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// NextPath::parse
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(pure_config())]

    /// No open redirect: whatever parses resolves, as a browser resolves a
    /// `Location`, to the same scheme, host and port, and is a valid header
    /// value (actix would answer 500 for an invalid one).
    #[test]
    fn next_path_never_leaves_the_site(raw in next_input()) {
        if let Some(next) = NextPath::parse(&raw) {
            prop_assert_eq!(next.as_str(), raw.as_str());
            for base in [
                "http://app.example/",
                "http://app.example/log_in/?next=%2F",
                "https://app.example:8443/a/b/c",
            ] {
                let base = Url::parse(base).expect("base");
                let target = base.join(&raw);
                prop_assert!(target.is_ok(), "{raw:?} does not resolve: {target:?}");
                let target = target.expect("checked");
                prop_assert_eq!(target.scheme(), base.scheme(), "{:?} -> {}", raw, target);
                prop_assert_eq!(target.host_str(), Some("app.example"), "{:?} -> {}", raw, target);
                prop_assert_eq!(target.port(), base.port(), "{:?} -> {}", raw, target);
                prop_assert!(target.username().is_empty() && target.password().is_none());
            }
            prop_assert!(HeaderValue::from_str(&raw).is_ok(), "{raw:?} is no header value");
        }
    }

    /// The check is not vacuous: ordinary local paths are kept.
    #[test]
    fn next_path_keeps_plain_local_paths(raw in plain_local_path()) {
        let parsed = NextPath::parse(&raw);
        prop_assert_eq!(parsed.as_ref().map(NextPath::as_str), Some(raw.as_str()));
    }
}

// ---------------------------------------------------------------------------
// ClientFrame::parse
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(pure_config())]

    /// Never panics, and a ping is only ever a JSON object typed "ping".
    #[test]
    fn client_frame_is_a_ping_only_when_typed_ping(text in client_text()) {
        if ClientFrame::parse(&text) == Some(ClientFrame::Ping) {
            prop_assert!(ping_model(&text), "{text:?} read as a ping");
        }
    }

    /// Every object typed exactly "ping" is a ping, whatever else it holds.
    #[test]
    fn client_frame_reads_every_object_typed_ping(object in json_object(), pretty in any::<bool>()) {
        let value = Value::Object(object.clone());
        let text = if pretty {
            serde_json::to_string_pretty(&value).expect("serializable")
        } else {
            value.to_string()
        };
        let is_ping = object.get("type") == Some(&json!("ping"));
        prop_assert_eq!(ClientFrame::parse(&text) == Some(ClientFrame::Ping), is_ping, "{}", text);
    }
}

// ---------------------------------------------------------------------------
// sign_up::validate
// ---------------------------------------------------------------------------

/// `(username, password1, password2)`: the second password is usually the
/// first, sometimes different, sometimes empty.
pub(super) fn sign_up_fields() -> impl Strategy<Value = (String, String, String)> {
    let password = prop_oneof![
        any_text(20),
        "[a-zA-Z0-9]{6,14}",
        "[0-9]{7,10}",
        Just(String::new()),
        "[a-zA-Z0-9é]{70,75}",
    ];
    let username = prop_oneof![username_input(), "[a-z]{3,10}"];
    (username, password, 0..4u8, any_text(10)).prop_map(|(username, password1, mode, other)| {
        let password2 = match mode {
            0 | 1 => password1.clone(),
            2 => other,
            _ => String::new(),
        };
        (username, password1, password2)
    })
}

proptest! {
    #![proptest_config(pure_config())]

    /// Never panics; valid only when every rule holds; otherwise every
    /// broken rule is reported on its field.
    #[test]
    fn sign_up_validation_matches_the_rules((username, password1, password2) in sign_up_fields()) {
        let form = SignUpForm {
            username: username.clone(),
            password1: password1.clone(),
            password2: password2.clone(),
            csrfmiddlewaretoken: String::new(),
        };
        let model = username_model(&username);
        let name_ok = model.is_ok();
        let password_broken = password_model(&password1, username.trim());
        let second_missing = password2.is_empty();
        let mismatch = !password1.is_empty() && !second_missing && password1 != password2;
        let valid = name_ok && password_broken.is_empty() && !second_missing && !mismatch;
        match validate(&form) {
            Ok((name, password)) => {
                prop_assert!(valid, "accepted {:?}", (&username, &password1, &password2));
                prop_assert_eq!(Ok(name.as_str()), model.as_deref());
                prop_assert_eq!(password.expose(), password1.as_str());
                prop_assert_eq!(&password1, &password2);
            }
            Err(errors) => {
                prop_assert!(!valid, "refused a valid form: {errors:?}");
                prop_assert_eq!(errors.get("username").len(), usize::from(!name_ok));
                prop_assert_eq!(errors.get("password1").len(), password_broken.len());
                prop_assert_eq!(
                    errors.get("password2").len(),
                    usize::from(second_missing) + usize::from(mismatch)
                );
            }
        }
    }
}
