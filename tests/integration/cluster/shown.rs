//! What a user on another node is shown as, read through a real socket:
//! the helpers of the tests of rich statuses through faults.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use presence::live::protocol::ServerFrame;

use super::carry;
use crate::support::{Browser, TestSocket};

/// A custom status without expiry, as a page sets it.
pub(super) fn set_custom(text: &str) -> String {
    format!(r#"{{"type":"set_custom","text":"{text}","until":null}}"#)
}

/// What others are shown of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Shown {
    pub(super) status: String,
    pub(super) custom: Option<String>,
    pub(super) devices: Vec<String>,
}

pub(super) fn shown(status: &str, custom: Option<&str>, devices: &[&str]) -> Shown {
    Shown {
        status: status.to_owned(),
        custom: custom.map(str::to_owned),
        devices: devices.iter().map(|each| (*each).to_owned()).collect(),
    }
}

pub(super) fn offline() -> Shown {
    shown("offline", None, &[])
}

/// The user and what they are shown as, for a presence frame.
fn read(frame: ServerFrame) -> Option<(String, Shown)> {
    let ServerFrame::Presence {
        username,
        status,
        custom,
        devices,
        ..
    } = frame
    else {
        return None;
    };
    let custom = custom.map(|custom| custom.text);
    Some((
        username,
        Shown {
            status,
            custom,
            devices,
        },
    ))
}

/// Reads presence frames until `user` is shown as `expected`; every frame
/// about `user` before must be one of `allowed`.
pub(super) async fn until_shown(
    socket: &mut TestSocket,
    user: &str,
    expected: &Shown,
    allowed: &[Shown],
) {
    until_all_shown(socket, &[(user, expected.clone(), allowed.to_vec())]).await;
}

/// [`until_shown`] for several users at once, in any order: until each
/// `(user, expected, allowed)` was shown as `expected`.
pub(super) async fn until_all_shown(socket: &mut TestSocket, users: &[(&str, Shown, Vec<Shown>)]) {
    let mut waiting: Vec<&str> = users.iter().map(|(user, ..)| *user).collect();
    let deadline = Instant::now() + EVENTUALLY;
    while !waiting.is_empty() {
        assert!(
            Instant::now() < deadline,
            "{waiting:?} not shown as expected within {EVENTUALLY:?}"
        );
        let Some((name, seen)) = read(socket.frame().await) else {
            continue;
        };
        let Some((user, expected, allowed)) = users.iter().find(|(user, ..)| *user == name) else {
            continue;
        };
        if &seen == expected {
            waiting.retain(|each| each != user);
        } else {
            assert!(
                allowed.contains(&seen) && waiting.contains(user),
                "{user} was shown as {seen:?}"
            );
        }
    }
}

/// How long [`eventually_shown`] reads before it gives up: frames that
/// keep coming but never show the user as expected must fail the test,
/// not hang it.
const EVENTUALLY: Duration = Duration::from_secs(15);

/// Reads presence frames until `user` is shown as `expected`, whatever
/// came before (setting a test up), for at most [`EVENTUALLY`].
pub(super) async fn eventually_shown(socket: &mut TestSocket, user: &str, expected: &Shown) {
    let deadline = Instant::now() + EVENTUALLY;
    // What the user was shown as, for the failure's message.
    let mut history = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        // Shorter than `frame`'s own patience: a quiet socket ends here.
        let wait = left.min(Duration::from_secs(4));
        let Ok(frame) = tokio::time::timeout(wait, socket.frame()).await else {
            continue;
        };
        if let Some((name, seen)) = read(frame)
            && name == user
        {
            if &seen == expected {
                return;
            }
            history.push(seen);
        }
    }
    panic!("{user} not shown as {expected:?} within {EVENTUALLY:?}; shown as {history:?}");
}

/// Asserts that every frame about `user` within `quiet` shows `expected`.
pub(super) async fn only_shown(
    socket: &mut TestSocket,
    user: &str,
    expected: &Shown,
    quiet: Duration,
) {
    let deadline = Instant::now() + quiet;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(frame) = tokio::time::timeout(left, socket.frame()).await else {
            return;
        };
        if let Some((name, seen)) = read(frame)
            && name == user
        {
            assert_eq!(&seen, expected, "{user} flapped");
        }
    }
}

/// What a fresh socket of `login` on `address` shows of everyone online.
pub(super) async fn snapshot(login: &Browser, address: &str) -> BTreeMap<String, Shown> {
    let mut socket = carry(login, address).socket().await;
    match socket.frame().await {
        ServerFrame::Snapshot { users, .. } => users
            .into_iter()
            .map(|(user, each)| {
                let custom = each.custom.map(|custom| custom.text);
                (
                    user,
                    Shown {
                        status: each.status,
                        custom,
                        devices: each.devices,
                    },
                )
            })
            .collect(),
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

/// Waits until a fresh socket on `address` shows exactly `expected`;
/// returns how long that took.
pub(super) async fn converged(
    login: &Browser,
    address: &str,
    expected: &[(&str, Shown)],
) -> Duration {
    let expected: BTreeMap<String, Shown> = expected
        .iter()
        .map(|(user, each)| ((*user).to_owned(), each.clone()))
        .collect();
    let started = Instant::now();
    loop {
        let seen = snapshot(login, address).await;
        if seen == expected {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{address} shows {seen:?}, not {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs `name` up on `address` and opens a tab there, from a phone if
/// `agent` says so.
pub(super) async fn tab_on(
    address: &str,
    name: &str,
    agent: Option<&str>,
) -> (Browser, TestSocket) {
    let browser = Browser::new(address);
    browser.sign_up_and_log_in(name).await;
    let mut tab = TestSocket::open_as(&browser, None, agent)
        .await
        .expect("upgrade");
    tab.snapshot().await;
    (browser, tab)
}
