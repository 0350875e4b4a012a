//! Tests of the models themselves: the frame model and the similarity
//! model agree with fixed cases worked out by hand (or by Django), so a
//! property that compares the code with a model compares it with something
//! sane.

use presence::live::session::MAX_MESSAGE_BYTES;

use super::{
    frame_cases::{BINARY, CONTINUE, Outcome, PING, TEXT, Wire, wire, ws_model},
    rules::too_similar_model,
};

/// The frame model agrees with the fixed cases of `sockets.rs`, so the
/// frame property checks the server against something sane.
#[test]
fn the_frame_model_knows_the_fixed_cases() {
    let ping = || wire(TEXT, true, br#"{"type":"ping"}"#.to_vec());
    let cases: Vec<(Vec<Wire>, Outcome)> = vec![
        (vec![ping()], Outcome::Open),
        (
            vec![wire(BINARY, true, vec![1, 2, 3])],
            Outcome::Closed(1003),
        ),
        (
            vec![wire(TEXT, true, vec![b'x'; MAX_MESSAGE_BYTES + 1])],
            Outcome::Closed(1009),
        ),
        (
            vec![
                wire(TEXT, false, vec![b'x'; 40 * 1024]),
                wire(CONTINUE, true, vec![b'x'; 40 * 1024]),
            ],
            Outcome::Closed(1009),
        ),
        (
            vec![wire(CONTINUE, true, b"x".to_vec())],
            Outcome::Closed(1002),
        ),
        (
            vec![wire(TEXT, false, b"x".to_vec()), ping()],
            Outcome::Closed(1002),
        ),
    ];
    for (frames, expected) in cases {
        assert_eq!(ws_model(&frames).0, expected, "{frames:?}");
    }
    assert_eq!(
        ws_model(&[
            wire(TEXT, false, br#"{"type":"#.to_vec()),
            wire(PING, true, Vec::new()),
            wire(CONTINUE, true, br#""ping"}"#.to_vec()),
            ping(),
        ]),
        (Outcome::Open, 4, 2)
    );
}

/// The similarity model gives Django's answers: `quick_ratio` of 0.75 is too
/// similar, and a part of the username counts as much as the whole.
#[test]
fn the_similarity_model_matches_djangos_examples() {
    // difflib.SequenceMatcher(None, "abcd", "bcde").quick_ratio() == 0.75
    assert!(too_similar_model("bcde", "abcd"));
    assert!(too_similar_model("johnson99", "michael.johnson"));
    assert!(!too_similar_model("johnson123", "michael"));
}
