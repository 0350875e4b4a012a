//! Reading the server's JSON text frames, as cheaply as possible.
//!
//! Observers see every frame of a storm, so classification must not cost
//! more than the frame is worth: snapshots (which can be large) are
//! recognised by their prefix and never parsed, and presence frames are
//! parsed into borrowed fields.

use std::borrow::Cow;

use serde::Deserialize;

/// What a server frame says, as far as the generator cares.
#[derive(Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// The first frame of a presence socket.
    Snapshot,
    /// `username` came online (`true`) or went offline (`false`).
    Presence {
        /// Whose status changed.
        username: Cow<'a, str>,
        /// The new status.
        online: bool,
    },
    /// Any other frame (`user_added`, `pong`, or something unknown).
    Other,
}

#[derive(Deserialize)]
struct PresenceFrame<'a> {
    #[serde(rename = "type")]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    username: Option<Cow<'a, str>>,
    #[serde(default)]
    is_logged_in: Option<bool>,
}

/// Classifies one text frame. Malformed JSON is [`Event::Other`]: the
/// generator reports what it expected and did not see, so a garbled
/// frame shows up as a missing delivery rather than a crash.
pub fn classify(text: &str) -> Event<'_> {
    if text.starts_with(r#"{"type":"snapshot""#) {
        return Event::Snapshot;
    }
    match serde_json::from_str::<PresenceFrame<'_>>(text) {
        Ok(PresenceFrame {
            kind,
            username: Some(username),
            is_logged_in: Some(online),
        }) if kind == "presence" => Event::Presence { username, online },
        Ok(frame) if frame.kind == "snapshot" => Event::Snapshot,
        _ => Event::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_frames_of_both_servers_are_understood() {
        let presence =
            r#"{"type":"presence","username":"bob","is_logged_in":false,"last_seen_at":7}"#;
        let django = r#"{"type":"presence","username":"bob","is_logged_in":true}"#;
        assert_eq!(
            classify(presence),
            Event::Presence {
                username: "bob".into(),
                online: false
            }
        );
        assert_eq!(
            classify(django),
            Event::Presence {
                username: "bob".into(),
                online: true
            }
        );
    }

    #[test]
    fn snapshots_and_other_frames_are_told_apart() {
        assert_eq!(
            classify(r#"{"type":"snapshot","online":[]}"#),
            Event::Snapshot
        );
        assert_eq!(classify(r#"{"type":"pong"}"#), Event::Other);
        assert_eq!(
            classify(r#"{"type":"user_added","username":"c"}"#),
            Event::Other
        );
        assert_eq!(classify("not json"), Event::Other);
    }
}
