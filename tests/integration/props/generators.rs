//! Generators shared by several properties: text of any kind, strings near
//! the username rules, tricky `next=` values and client WebSocket text.
//! Each leans toward the inputs where a parser is most likely to be wrong.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Any characters at all, control characters and unpaired planes included
/// (`any::<String>()` leaves out control characters).
pub(super) fn any_text(max: usize) -> impl Strategy<Value = String> + Clone {
    prop::collection::vec(any::<char>(), 0..max).prop_map(String::from_iter)
}

/// Strings near the username rules: allowed names, names with one bad
/// character, padded names, names around the 150-character limit.
pub(super) fn username_input() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        any_text(24),
        "[a-zA-Z0-9@.+_-]{0,20}",
        r"[\p{L}\p{N}@.+_-]{1,40}",
        "[a-zé0-9]{145,155}",
        (
            "[ \t\n\r\u{a0}\u{3000}\u{2028}]{0,3}",
            "[a-z0-9_.]{0,12}",
            "[ \t\n\u{a0}]{0,3}",
        )
            .prop_map(|(before, name, after)| format!("{before}{name}{after}")),
        ("[a-z]{0,8}", any::<char>(), "[a-z]{0,8}")
            .prop_map(|(head, odd, tail)| format!("{head}{odd}{tail}")),
    ]
}

/// Pieces that make `next=` values interesting: scheme and authority
/// markers, slashes and backslashes, characters browsers strip, percent
/// encodings of all of those, and look-alike Unicode.
pub(super) const NEXT_PIECES: &[&str] = &[
    "/",
    "//",
    "///",
    "\\",
    "/\\",
    "\\/",
    "\\\\",
    "\t",
    "\n",
    "\r",
    " ",
    "\u{0}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{3000}",
    "\u{feff}",
    "\u{200b}",
    "\u{ff0f}",
    "\u{2044}",
    "\u{2215}",
    "http:",
    "https:",
    "HTTP://",
    "javascript:",
    "data:",
    "evil.example",
    "@",
    ":",
    ".",
    "..",
    "/./",
    "/../",
    "?",
    "#",
    "&",
    "=",
    "%2f",
    "%2F",
    "%5c",
    "%5C",
    "%09",
    "%0a",
    "%00",
    "%",
    "%%32%66",
    "users",
    "é",
    "\u{1F600}",
];

/// `next=` values biased toward the tricky ones.
pub(super) fn next_input() -> impl Strategy<Value = String> + Clone {
    let piece = prop::sample::select(NEXT_PIECES);
    prop_oneof![
        any_text(30),
        prop::collection::vec(piece.clone(), 0..8).prop_map(|pieces| pieces.concat()),
        prop::collection::vec(piece, 0..8).prop_map(|pieces| format!("/{}", pieces.concat())),
        plain_local_path(),
    ]
}

/// Ordinary local paths that a correct parser must accept.
pub(super) fn plain_local_path() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        Just("/".to_owned()),
        "/[a-zA-Z0-9._~!$&'()*+,;=:@%-][a-zA-Z0-9/._~!$&'()*+,;=:@%?#-]{0,40}",
    ]
}

/// Client text frames: anything, JSON objects with and without a `type`,
/// other JSON values, and imitations of the server's frames about the
/// victim.
pub(super) fn client_text() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        any_text(60),
        json_object().prop_map(|object| Value::Object(object).to_string()),
        json_object().prop_map(|object| {
            serde_json::to_string_pretty(&Value::Object(object)).expect("serializable")
        }),
        json_leaf().prop_map(|value| value.to_string()),
        prop::sample::select(IMITATIONS).prop_map(str::to_owned),
    ]
}

/// Frames a client might send to fool the hub about the victim.
pub(super) const IMITATIONS: &[&str] = &[
    r#"{"type":"presence","username":"victim","is_logged_in":false}"#,
    r#"{"type":"presence","username":"victim","is_logged_in":false,"last_seen_at":0}"#,
    r#"{"type":"presence","username":"victim","is_logged_in":true}"#,
    r#"{"username":"victim","is_logged_in":false}"#,
    r#"{"type":"snapshot","online":[]}"#,
    r#"{"type":"user_added","username":"victim"}"#,
    r#"{"type":"logout","username":"victim"}"#,
    r#"{"type":"ping","username":"victim","is_logged_in":false}"#,
    r#"{"type":"ping"}"#,
    r#"{"type":"PING"}"#,
    r#"{"type":"pong"}"#,
    r#"["ping"]"#,
    "ping",
    "",
    "{",
    "null",
];

/// JSON values a field or a tag might hold.
pub(super) fn json_leaf() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        prop::sample::select(vec![
            json!("ping"),
            json!("Ping"),
            json!("PING"),
            json!(" ping"),
            json!("ping "),
            json!("ping\u{0}"),
            json!("pong"),
            json!("presence"),
            json!("snapshot"),
            json!("victim"),
            json!(null),
            json!(0),
            json!(-1.5),
            json!(true),
            json!(false),
            json!(["ping"]),
            json!({"type": "ping"}),
            json!([]),
            json!({}),
        ]),
        any_text(8).prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
    ]
}

/// A JSON object with random fields and maybe a `type`.
pub(super) fn json_object() -> impl Strategy<Value = Map<String, Value>> + Clone {
    let key = prop_oneof![
        prop::sample::select(vec![
            "username",
            "is_logged_in",
            "online",
            "last_seen",
            "last_seen_at",
            "Type",
            "type ",
            "TYPE",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,8}",
        any_text(6),
    ];
    (
        prop::option::of(json_leaf()),
        prop::collection::btree_map(key, json_leaf(), 0..4),
    )
        .prop_map(|(tag, fields)| {
            let mut object: Map<String, Value> = fields.into_iter().collect();
            object.remove("type");
            if let Some(tag) = tag {
                object.insert("type".to_owned(), tag);
            }
            object
        })
}
