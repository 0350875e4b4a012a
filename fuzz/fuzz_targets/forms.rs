//! Form bodies and query strings, as the handlers read them. The checks are
//! in `fuzz/checks/forms.rs`, shared with the integration test that replays
//! the committed corpus (`tests/integration/corpus.rs`).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks/forms.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::check(data));
