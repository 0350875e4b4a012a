//! [`Frame`]: a server frame, serialized once and encoded once, ready to
//! write to any number of sockets.
//!
//! Server frames are not masked (RFC 6455 §5.1), so a frame is the same
//! bytes on every socket: the two- to ten-byte WebSocket header and the
//! JSON text. Both are made once per event, in one buffer; a delivery to
//! ten thousand sockets hands each of them a reference to it, and the
//! socket's output writes it as it is.
//!
//! A `presence` frame also names its subject, the user it is about, so the
//! hub can deliver it to the sockets that watch that user without reading
//! the JSON again.

use actix_web::web::Bytes;
use bytestring::ByteString;

use crate::{auth::Username, live::protocol::ServerFrame};

/// A server frame: its JSON text and its wire bytes, sharing one buffer.
/// Two frames are equal when their bytes are.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The whole frame as it goes on the wire: header, then text.
    wire: Bytes,
    /// The JSON text, a view into `wire`.
    text: ByteString,
    /// The user a `presence` frame is about; never on the wire.
    subject: Option<Username>,
}

impl Frame {
    /// The frame of `json`.
    pub fn of_text(json: &str) -> Self {
        let mut wire = Vec::with_capacity(json.len() + 10);
        wire.push(0x81); // FIN, and the text opcode
        let len = json.len();
        if len < 126 {
            wire.push(len as u8);
        } else if let Ok(len) = u16::try_from(len) {
            wire.push(126);
            wire.extend_from_slice(&len.to_be_bytes());
        } else {
            wire.push(127);
            wire.extend_from_slice(&(len as u64).to_be_bytes());
        }
        let header = wire.len();
        wire.extend_from_slice(json.as_bytes());
        let wire = Bytes::from(wire);
        // The bytes after the header are `json`, so this never fails; the
        // check costs one pass over the text, once per event.
        let text = ByteString::try_from(wire.slice(header..)).unwrap_or_default();
        Self {
            wire,
            text,
            subject: None,
        }
    }

    /// This frame, as news about `user`: it goes to the sockets on the
    /// full feed and to those that watch `user`.
    pub fn about(mut self, user: &Username) -> Self {
        self.subject = Some(user.clone());
        self
    }

    /// The user the frame is about, if it is news about one user.
    pub fn subject(&self) -> Option<&Username> {
        self.subject.as_ref()
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The frame as it goes on the wire, shared.
    pub fn wire(&self) -> Bytes {
        self.wire.clone()
    }
}

impl PartialEq for Frame {
    fn eq(&self, other: &Self) -> bool {
        self.wire == other.wire
    }
}

impl Eq for Frame {}

impl From<&ServerFrame> for Frame {
    fn from(frame: &ServerFrame) -> Self {
        // Serializing these plain enums of strings and numbers cannot fail.
        let json = serde_json::to_string(frame).unwrap_or_default();
        Self::of_text(&json)
    }
}

#[cfg(test)]
mod tests {
    use actix_codec::Decoder;
    use actix_http::ws::{Codec, Frame as WsFrame};
    use bytes::BytesMut;

    use super::*;

    /// What a client reads from `frame`'s wire bytes.
    fn decode(frame: &Frame) -> String {
        let mut codec = Codec::new().client_mode().max_size(1 << 20);
        let mut buffer = BytesMut::from(&frame.wire()[..]);
        match codec.decode(&mut buffer).unwrap() {
            Some(WsFrame::Text(text)) => String::from_utf8(text.to_vec()).unwrap(),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    #[test]
    fn the_wire_bytes_decode_to_the_text_at_every_length_encoding() {
        for len in [0, 1, 125, 126, 200, 65_535, 65_536, 70_000] {
            let json = "x".repeat(len);
            let frame = Frame::of_text(&json);
            assert_eq!(frame.as_str(), json);
            assert_eq!(decode(&frame), json, "length {len}");
        }
    }

    #[test]
    fn the_text_is_a_view_into_the_wire_buffer() {
        let frame = Frame::of_text(r#"{"type":"pong"}"#);
        let wire = frame.wire();
        let offset = frame.as_str().as_ptr() as usize - wire.as_ptr() as usize;
        assert_eq!(offset, 2);
    }

    #[test]
    fn cloning_a_frame_shares_its_buffer() {
        let frame = Frame::from(&ServerFrame::Pong);
        let copy = frame.clone();
        assert_eq!(frame.as_str().as_ptr(), copy.as_str().as_ptr());
    }
}
