//! The watch and counts frames: what a watching socket sends and gets.

use super::*;

fn refused(text: &str) -> Refused {
    ClientFrame::read(text, 0).unwrap_err()
}

#[test]
fn a_watch_frame_is_read_into_usernames() {
    let frame = ClientFrame::read(r#"{"type":"watch","usernames":["ann","bob"]}"#, 0);
    let users = ["ann", "bob"].map(|n| crate::auth::Username::parse(n).unwrap());
    assert_eq!(
        frame,
        Ok(ClientFrame::Watch {
            users: users.to_vec()
        })
    );
    let empty = ClientFrame::read(r#"{"type":"watch","usernames":[]}"#, 0);
    assert_eq!(empty, Ok(ClientFrame::Watch { users: Vec::new() }));
}

#[test]
fn a_watch_frame_without_a_list_of_names_is_refused() {
    assert_eq!(refused(r#"{"type":"watch"}"#), Refused::BadWatch);
    assert_eq!(
        refused(r#"{"type":"watch","usernames":"ann"}"#),
        Refused::BadWatch
    );
    assert_eq!(
        refused(r#"{"type":"watch","usernames":{"ann":1}}"#),
        Refused::BadWatch
    );
}

#[test]
fn a_watch_frame_with_a_bad_name_is_refused() {
    for names in [r#"["ann",7]"#, r#"["ann","<b>"]"#, r#"[""]"#, r#"[null]"#] {
        let text = format!(r#"{{"type":"watch","usernames":{names}}}"#);
        assert_eq!(refused(&text), Refused::BadWatchedName, "{names}");
    }
}

#[test]
fn a_watch_frame_may_name_500_users_and_no_more() {
    let names = |n: usize| {
        let list: Vec<String> = (0..n).map(|i| format!("u{i}")).collect();
        serde_json::json!({"type": "watch", "usernames": list}).to_string()
    };
    assert!(ClientFrame::read(&names(500), 0).is_ok());
    assert_eq!(refused(&names(501)), Refused::TooManyWatched);
}

#[test]
fn a_counts_frame_has_the_three_counts() {
    let frame = Frame::from(&ServerFrame::Counts {
        online: 3,
        away: 2,
        dnd: 1,
    });
    assert_eq!(
        frame.as_str(),
        r#"{"type":"counts","online":3,"away":2,"dnd":1}"#
    );
}
