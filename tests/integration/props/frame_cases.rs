//! Random WebSocket input and what the protocol says about it: frames as
//! they go on the wire (reserved bits and opcodes included), the generator
//! of misbehaving message sequences, and the model of how `WsSession` must
//! answer them (RFC 6455 plus its own limits).

use presence::live::{protocol::ClientFrame, session::MAX_MESSAGE_BYTES};
use proptest::prelude::*;

use super::generators::{any_text, client_text};

// The opcodes of RFC 6455 that the cases send. Close (0x8) appears only
// in the model: the client never sends one on purpose.

/// A text frame, or the first frame of a fragmented text message.
pub(super) const TEXT: u8 = 0x1;
/// A binary frame, which presence refuses with 1003.
pub(super) const BINARY: u8 = 0x2;
/// A continuation of a fragmented message.
pub(super) const CONTINUE: u8 = 0x0;
/// A WebSocket-level ping (not the JSON one).
pub(super) const PING: u8 = 0x9;
/// A WebSocket-level pong.
pub(super) const PONG: u8 = 0xA;

/// One frame on the wire.
#[derive(Clone)]
pub(super) struct Wire {
    /// The opcode, reserved ones included.
    pub(super) opcode: u8,
    /// The FIN bit: the last frame of its message.
    pub(super) fin: bool,
    /// The first reserved bit, which no extension here gives a meaning.
    pub(super) rsv1: bool,
    /// The payload, unmasked (the client masks it on the way out).
    pub(super) payload: Vec<u8>,
}

impl std::fmt::Debug for Wire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = String::from_utf8_lossy(&self.payload[..self.payload.len().min(80)]);
        write!(
            f,
            "Wire(op={:#x}, fin={}, rsv1={}, {} bytes: {shown:?})",
            self.opcode,
            self.fin,
            self.rsv1,
            self.payload.len()
        )
    }
}

/// A frame without reserved bits.
pub(super) fn wire(opcode: u8, fin: bool, payload: impl Into<Vec<u8>>) -> Wire {
    Wire {
        opcode,
        fin,
        rsv1: false,
        payload: payload.into(),
    }
}

/// What a misbehaving client sends, message by message.
#[derive(Debug, Clone)]
pub(super) enum WsInput {
    /// A whole text message.
    Text(String),
    /// A text frame that is not UTF-8.
    BadUtf8(Vec<u8>),
    /// A binary message, which presence does not take.
    Binary(Vec<u8>),
    /// One frame over the 64 KiB limit.
    Oversized {
        /// Bytes over the limit.
        extra: usize,
        /// Binary rather than text.
        binary: bool,
    },
    /// A fragmented text message; `last: None` leaves it unfinished.
    Fragments {
        /// The first frame's text.
        first: String,
        /// The texts of the continuations without FIN.
        middle: Vec<String>,
        /// The text of the final continuation, if any.
        last: Option<String>,
    },
    /// A fragmented text message whose parts stay under the limit but
    /// whose whole does not.
    BigFragments {
        /// How many frames.
        parts: usize,
        /// The bytes in each.
        size: usize,
    },
    /// A fragmented binary message.
    FirstBinary(Vec<u8>),
    /// A continuation frame with no message to continue.
    StrayContinuation {
        /// Its payload.
        text: String,
        /// Its FIN bit.
        fin: bool,
    },
    /// A WebSocket ping with a legal payload.
    Ping(Vec<u8>),
    /// An unsolicited WebSocket pong.
    Pong(Vec<u8>),
    /// A control frame over 125 bytes.
    LongPing(usize),
    /// A control frame without FIN.
    FragmentedPing,
    /// A frame with an opcode RFC 6455 reserves.
    ReservedOpcode(u8),
    /// A text frame with RSV1 set and no extension to explain it.
    ReservedBit(String),
}

impl WsInput {
    /// The frames that carry this input, in order.
    pub(super) fn frames(&self) -> Vec<Wire> {
        match self {
            Self::Text(text) => vec![wire(TEXT, true, text.as_bytes())],
            Self::BadUtf8(bytes) => vec![wire(TEXT, true, bytes.clone())],
            Self::Binary(bytes) => vec![wire(BINARY, true, bytes.clone())],
            Self::Oversized { extra, binary } => vec![wire(
                if *binary { BINARY } else { TEXT },
                true,
                vec![b'x'; MAX_MESSAGE_BYTES + extra],
            )],
            Self::Fragments {
                first,
                middle,
                last,
            } => {
                let mut frames = vec![wire(TEXT, false, first.as_bytes())];
                frames.extend(
                    middle
                        .iter()
                        .map(|part| wire(CONTINUE, false, part.as_bytes())),
                );
                frames.extend(
                    last.iter()
                        .map(|part| wire(CONTINUE, true, part.as_bytes())),
                );
                frames
            }
            Self::BigFragments { parts, size } => (0..*parts)
                .map(|i| {
                    let opcode = if i == 0 { TEXT } else { CONTINUE };
                    wire(opcode, i + 1 == *parts, vec![b'y'; *size])
                })
                .collect(),
            Self::FirstBinary(bytes) => vec![
                wire(BINARY, false, bytes.clone()),
                wire(CONTINUE, true, b"tail".to_vec()),
            ],
            Self::StrayContinuation { text, fin } => vec![wire(CONTINUE, *fin, text.as_bytes())],
            Self::Ping(bytes) => vec![wire(PING, true, bytes.clone())],
            Self::Pong(bytes) => vec![wire(PONG, true, bytes.clone())],
            Self::LongPing(len) => vec![wire(PING, true, vec![b'p'; *len])],
            Self::FragmentedPing => vec![wire(PING, false, b"p".to_vec())],
            Self::ReservedOpcode(opcode) => vec![wire(*opcode, true, b"{}".to_vec())],
            Self::ReservedBit(text) => vec![Wire {
                rsv1: true,
                ..wire(TEXT, true, text.as_bytes())
            }],
        }
    }
}

/// Any [`WsInput`], weighted toward whole text messages and fragments.
pub(super) fn ws_input() -> impl Strategy<Value = WsInput> {
    let part = || prop_oneof![client_text(), any_text(20)];
    prop_oneof![
        6 => client_text().prop_map(WsInput::Text),
        1 => prop::collection::vec(any::<u8>(), 1..40)
            .prop_filter("not UTF-8", |bytes| std::str::from_utf8(bytes).is_err())
            .prop_map(WsInput::BadUtf8),
        1 => prop::collection::vec(any::<u8>(), 0..40).prop_map(WsInput::Binary),
        1 => (1..4096usize, any::<bool>())
            .prop_map(|(extra, binary)| WsInput::Oversized { extra, binary }),
        3 => (part(), prop::collection::vec(part(), 0..3), prop::option::weighted(0.8, part()))
            .prop_map(|(first, middle, last)| WsInput::Fragments { first, middle, last }),
        1 => (2..4usize, 20_000..40_000usize)
            .prop_map(|(parts, size)| WsInput::BigFragments { parts, size }),
        1 => prop::collection::vec(any::<u8>(), 0..20).prop_map(WsInput::FirstBinary),
        1 => (any_text(20), any::<bool>())
            .prop_map(|(text, fin)| WsInput::StrayContinuation { text, fin }),
        1 => prop::collection::vec(any::<u8>(), 0..=125).prop_map(WsInput::Ping),
        1 => prop::collection::vec(any::<u8>(), 0..=125).prop_map(WsInput::Pong),
        1 => (126..300usize).prop_map(WsInput::LongPing),
        1 => Just(WsInput::FragmentedPing),
        1 => prop::sample::select(vec![3u8, 4, 5, 6, 7, 11, 12, 13, 14, 15])
            .prop_map(WsInput::ReservedOpcode),
        1 => client_text().prop_map(WsInput::ReservedBit),
    ]
}

/// How a socket ends a case.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Still open: it answered every ping.
    Open,
    /// The server closed it with this code.
    Closed(u16),
    /// It broke without a close frame, or went silent.
    Broken(String),
}

/// What the server must do with `frames`, per RFC 6455 and the rules of
/// `WsSession`: the outcome, how many frames it reads before closing (the
/// rest need not be sent), and how many text pings it answers.
pub(super) fn ws_model(frames: &[Wire]) -> (Outcome, usize, usize) {
    let is_ping = |bytes: &[u8]| {
        std::str::from_utf8(bytes).is_ok_and(|text| ClientFrame::parse(text).is_some())
    };
    // Bytes of the unfinished fragmented text message, if one is open.
    let mut partial: Option<Vec<u8>> = None;
    let mut pongs = 0;
    for (i, frame) in frames.iter().enumerate() {
        let close = |code| (Outcome::Closed(code), i + 1, pongs);
        let control = frame.opcode >= 0x8;
        if frame.rsv1 || ![TEXT, BINARY, CONTINUE, 0x8, PING, PONG].contains(&frame.opcode) {
            return close(1002);
        }
        if frame.payload.len() > MAX_MESSAGE_BYTES {
            return close(1009);
        }
        if control && (frame.payload.len() > 125 || !frame.fin) {
            return close(1002);
        }
        match (frame.opcode, frame.fin) {
            (PING | PONG, _) => {}
            (TEXT | BINARY, _) if partial.is_some() => return close(1002),
            (BINARY, _) => return close(1003),
            (TEXT, true) => {
                if std::str::from_utf8(&frame.payload).is_err() {
                    return close(1002);
                }
                if is_ping(&frame.payload) {
                    pongs += 1;
                }
            }
            (TEXT, false) => partial = Some(frame.payload.clone()),
            (CONTINUE, fin) => {
                let Some(so_far) = partial.as_mut() else {
                    return close(1002);
                };
                if so_far.len() + frame.payload.len() > MAX_MESSAGE_BYTES {
                    return close(1009);
                }
                so_far.extend_from_slice(&frame.payload);
                if fin {
                    if is_ping(so_far) {
                        pongs += 1;
                    }
                    partial = None;
                }
            }
            _ => unreachable!("every opcode is handled above"),
        }
    }
    (Outcome::Open, frames.len(), pongs)
}
