//! Random WebSocket frames from a logged-in attacker against the real
//! server: the socket must stay open or close exactly as
//! [`super::frame_cases::ws_model`] says, the attacker must hear nothing
//! about the victim, and the victim's presence must not move.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use presence::live::protocol::ServerFrame;
use proptest::{prelude::*, test_runner::TestCaseError};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{
        Bytes, Message,
        client::IntoClientRequest,
        http::HeaderValue as WsHeaderValue,
        protocol::frame::{Frame, FrameHeader, coding::OpCode},
    },
};

use super::{
    frame_cases::{Outcome, TEXT, Wire, WsInput, wire, ws_input, ws_model},
    world::{QUIET, VICTIM, World, check_against_world},
};
use crate::support::Browser;

/// A client WebSocket over plain TCP.
pub(super) type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `/users/` as `browser`, from its own origin.
pub(super) async fn connect(browser: &Browser) -> Result<Ws, String> {
    let url = format!("{}/users/", browser.address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().map_err(|err| err.to_string())?;
    let headers = request.headers_mut();
    if let Some(cookie) = browser.cookie_header() {
        headers.insert("cookie", WsHeaderValue::from_str(&cookie).expect("cookie"));
    }
    headers.insert(
        "origin",
        WsHeaderValue::from_str(&browser.address).expect("origin"),
    );
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
        .map_err(|err| err.to_string())
}

/// Reads `ws` until it has answered `pongs` pings (when `expect_open`) or
/// until it closes, checking every frame for news about the victim.
pub(super) async fn read_outcome(
    ws: &mut Ws,
    pongs: usize,
    expect_open: bool,
) -> (Outcome, Vec<String>) {
    let mut seen = 0;
    let mut about_victim = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        if expect_open && seen == pongs {
            return (Outcome::Open, about_victim);
        }
        let next = match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(next) => next,
            Err(_) => {
                let state = format!("silent after {seen} of {pongs} pongs");
                return (Outcome::Broken(state), about_victim);
            }
        };
        match next {
            Some(Ok(Message::Text(text))) => match serde_json::from_str::<ServerFrame>(&text) {
                Ok(ServerFrame::Pong) => seen += 1,
                Ok(ServerFrame::Presence { username, .. }) if username == VICTIM => {
                    about_victim.push(text.to_string());
                }
                Ok(_) => {}
                Err(_) => about_victim.push(format!("unknown frame {text}")),
            },
            Some(Ok(Message::Close(Some(frame)))) => {
                return (Outcome::Closed(frame.code.into()), about_victim);
            }
            Some(Ok(Message::Close(None))) => return (Outcome::Closed(1005), about_victim),
            Some(Ok(_)) => {}
            Some(Err(err)) => return (Outcome::Broken(err.to_string()), about_victim),
            None => return (Outcome::Broken("ended".into()), about_victim),
        }
    }
}

/// Opens a socket as the attacker, sends the frames of `inputs` and a final
/// ping (up to where the server must close), and checks the outcome against
/// [`ws_model`], then checks the victim.
pub(super) async fn run_ws_case(
    world: &mut World,
    inputs: Vec<WsInput>,
) -> Result<(), TestCaseError> {
    // A new connection works (the server and the hub are alive), and its
    // snapshot has the victim online.
    let ws = connect(&world.attacker).await;
    prop_assert!(ws.is_ok(), "a new socket was refused: {ws:?}");
    let mut ws = ws.expect("checked");
    let first = tokio::time::timeout(Duration::from_secs(5), ws.next()).await;
    let snapshot = match first {
        Ok(Some(Ok(Message::Text(text)))) => serde_json::from_str::<ServerFrame>(&text).ok(),
        _ => None,
    };
    match snapshot {
        Some(ServerFrame::Snapshot { online, .. }) => {
            prop_assert!(
                online.iter().any(|name| name == VICTIM),
                "snapshot {online:?}"
            );
        }
        other => prop_assert!(false, "expected a snapshot first, got {other:?}"),
    }

    let mut frames: Vec<Wire> = inputs.iter().flat_map(WsInput::frames).collect();
    frames.push(wire(TEXT, true, br#"{"type":"ping"}"#.to_vec()));
    let (expected, to_send, pongs) = ws_model(&frames);
    for frame in &frames[..to_send] {
        let header = FrameHeader {
            is_final: frame.fin,
            rsv1: frame.rsv1,
            opcode: OpCode::from(frame.opcode),
            ..FrameHeader::default()
        };
        let raw = Frame::from_payload(header, Bytes::from(frame.payload.clone()));
        // The server may already be closing; that shows in the outcome.
        if ws.send(Message::Frame(raw)).await.is_err() {
            break;
        }
    }
    let (outcome, about_victim) = read_outcome(&mut ws, pongs, expected == Outcome::Open).await;
    prop_assert!(
        matches!(outcome, Outcome::Open | Outcome::Closed(1002 | 1003 | 1009)),
        "the attacker's socket ended {outcome:?}"
    );
    prop_assert_eq!(&outcome, &expected, "frames sent: {:?}", &frames[..to_send]);
    prop_assert!(about_victim.is_empty(), "the attacker saw {about_victim:?}");
    drop(ws);
    world.victim_unchanged(QUIET).await
}

/// Random frames from an authenticated attacker: the server survives, the
/// socket stays open or closes with 1002/1003/1009 exactly as the protocol
/// says, and the victim's presence never moves.
#[test]
fn random_websocket_frames_close_cleanly_and_leave_the_victim_alone() {
    check_against_world(&prop::collection::vec(ws_input(), 1..5), run_ws_case);
}
