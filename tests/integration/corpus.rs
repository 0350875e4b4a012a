//! The committed fuzz corpus, replayed on stable Rust in every `cargo test`.
//!
//! `cargo fuzz` needs nightly flags and minutes of CPU, so it does not run
//! in the ordinary test suite. Its corpus does: every file under
//! `fuzz/corpus/<target>/` goes through the same checks the fuzz target
//! runs, which live in `fuzz/checks/<target>.rs` and are included here with
//! `#[path]`. An input that once found a bug stays in the corpus, so this is
//! also the regression test for every crash the fuzzer has found.

use std::{
    fs,
    panic::{self, AssertUnwindSafe},
    path::{Path, PathBuf},
};

#[path = "../../fuzz/checks/forms.rs"]
mod forms;

#[path = "../../fuzz/checks/frames.rs"]
mod frames;

/// The files of `fuzz/corpus/<target>/`, sorted by name. Panics if the
/// directory is missing or empty: a corpus that vanished would otherwise
/// pass without checking anything.
fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let entries =
        fs::read_dir(&dir).unwrap_or_else(|err| panic!("no corpus at {}: {err}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "the corpus at {} is empty",
        dir.display()
    );
    files
}

/// Runs `check` on every file of `target`'s corpus, and fails naming every
/// file whose check panicked (each panic's message is printed as it
/// happens), rather than stopping at the first.
fn replay(target: &str, check: fn(&[u8])) {
    let files = corpus(target);
    let failed: Vec<String> = files
        .iter()
        .filter(|path| {
            let data = fs::read(path).expect("a readable corpus file");
            // `check` owns nothing that a panic could leave half-updated.
            panic::catch_unwind(AssertUnwindSafe(|| check(&data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} {target} inputs failed their checks: {failed:#?}",
        failed.len(),
        files.len()
    );
}

/// Every form body in the corpus parses (or is refused) as the types
/// promise: see `fuzz/checks/forms.rs`.
#[test]
fn every_committed_forms_input_passes_its_checks() {
    replay("forms", forms::check);
}

/// Every byte string in the corpus decodes (or is refused) as a WebSocket
/// session must: see `fuzz/checks/frames.rs`.
#[test]
fn every_committed_frames_input_passes_its_checks() {
    replay("frames", frames::check);
}

/// The replay refuses a corpus that is not there, rather than passing
/// vacuously.
#[test]
#[should_panic(expected = "no corpus at")]
fn a_missing_corpus_fails_the_replay() {
    replay("no-such-target", |_| {});
}
