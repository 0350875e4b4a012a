//! The checks of the `frames` fuzz target, as plain functions.
//!
//! WebSocket input: bytes through actix-http's frame decoder in server mode
//! with the 64 KiB limit `WsSession` sets, and every text payload (and the
//! raw input) through `ClientFrame::parse`. Besides "no panic", it checks
//! that the decoder always makes progress, never yields a payload over the
//! limit, and that only a JSON object typed "ping" reads as a ping.
//!
//! Two crates include this file with `#[path]`: the fuzz target
//! (`fuzz/fuzz_targets/frames.rs`, on nightly flags) and the integration
//! test `tests/integration/corpus.rs`, which replays the committed corpus on
//! stable Rust in every `cargo test`. So it may only use crates both have:
//! `presence`, `actix-codec`, `actix-http`, `bytes` and `serde_json`.

use actix_codec::Decoder;
use actix_http::ws::{Codec, Frame, Item};
use bytes::BytesMut;
use presence::live::{protocol::ClientFrame, session::MAX_MESSAGE_BYTES};
use serde_json::{Value, json};

/// Runs one input through the frame decoder, and every text in it through
/// the client frame parser. Panics when a promise is broken.
pub fn check(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        check_client_frame(text);
    }
    // The codec `WsSession` gets from actix-web-actors: server mode (client
    // frames must be masked), with the session's message limit.
    let mut codec = Codec::new().max_size(MAX_MESSAGE_BYTES);
    let mut buffer = BytesMut::from(data);
    loop {
        let before = buffer.len();
        match codec.decode(&mut buffer) {
            Ok(Some(frame)) => {
                // A decoder that yields frames without consuming bytes
                // would spin the session forever on one read.
                assert!(buffer.len() < before, "a frame was decoded from nothing");
                let payload = match frame {
                    Frame::Text(bytes)
                    | Frame::Binary(bytes)
                    | Frame::Ping(bytes)
                    | Frame::Pong(bytes)
                    | Frame::Continuation(
                        Item::FirstText(bytes)
                        | Item::FirstBinary(bytes)
                        | Item::Continue(bytes)
                        | Item::Last(bytes),
                    ) => bytes,
                    Frame::Close(_) => continue,
                };
                assert!(payload.len() <= MAX_MESSAGE_BYTES);
                if let Ok(text) = std::str::from_utf8(&payload) {
                    check_client_frame(text);
                }
            }
            // Not enough bytes for a frame, or a protocol error: either way
            // the session stops reading this input here.
            Ok(None) | Err(_) => break,
        }
    }
}

/// A ping is only ever a JSON object whose `type` is "ping" (or serde's
/// sequence form of the tagged enum, `["ping"]`; see `ping_model` in
/// `tests/integration/props/rules.rs`).
fn check_client_frame(text: &str) {
    if ClientFrame::parse(text) == Some(ClientFrame::Ping) {
        let is_ping = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) => object.get("type") == Some(&json!("ping")),
            Ok(Value::Array(items)) => items == [json!("ping")],
            _ => false,
        };
        assert!(is_ping, "{text:?} read as a ping");
    }
}
