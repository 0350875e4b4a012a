//! Property tests: random input at the parsers and handlers (issue 3).
//!
//! - The pure parsers (`Username`, `Password`, `NextPath`, `ClientFrame`,
//!   `sign_up::validate`) are checked against independent models of their
//!   rules, with many cases ([`parsers`], with the models in [`rules`]).
//! - The handlers get random form bodies, query strings ([`forms`]) and
//!   WebSocket frames ([`frames`]) over a real server ([`world`]), one
//!   server per test function and fewer cases. Bad input must get a 4xx (or
//!   a 429 from the login throttle), never a 5xx; a redirect must stay on
//!   the site; and a victim who is logged in with an open tab must stay
//!   online, seen as online by everyone, throughout.
//! - [`models`] checks the models themselves against fixed cases, so the
//!   properties compare the code with something sane.
//!
//! `PROPTEST_CASES` overrides every case count, e.g.
//! `PROPTEST_CASES=2000 cargo test --test integration props::`. A failure
//! prints the shrunk input; no regression file is written.
//!
//! The committed fuzz corpus is replayed separately, in `corpus.rs`.

mod answers;
mod form_cases;
mod forms;
mod frame_cases;
mod frames;
mod generators;
mod models;
mod parsers;
mod rules;
mod world;

use proptest::test_runner::Config;

/// `PROPTEST_CASES` if set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Settings of the pure parser properties.
fn pure_config() -> Config {
    Config {
        cases: cases(256),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Settings of the properties that talk to a server: fewer cases, and a
/// bounded shrink, since every step is a round trip.
fn server_config() -> Config {
    Config {
        cases: cases(32),
        failure_persistence: None,
        max_shrink_iters: 64,
        max_shrink_time: 30_000,
        ..Config::default()
    }
}
