//! What stand-in sockets see of users' statuses, for the hub tests of
//! rich presence: "ann" and an observer "obs" on a fresh hub.

use presence::{
    live::{
        hub::Choice,
        protocol::ServerFrame,
        status::{CustomStatus, StatusText},
    },
    testkit::StandIn,
};

use super::hub::{Fixture, hub_with};

/// The grace period of these hubs.
pub const GRACE: std::time::Duration = std::time::Duration::from_millis(200);

/// What a presence frame says: status, custom text and expiry, devices.
#[derive(Debug, PartialEq, Eq)]
pub struct Shown {
    /// `online`, `away`, `dnd`, `offline` or `invisible`.
    pub status: String,
    /// The custom text and its expiry.
    pub custom: Option<(String, Option<i64>)>,
    /// The kinds of device.
    pub devices: Vec<String>,
}

/// A status without a custom text.
pub fn shown(status: &str, devices: &[&str]) -> Shown {
    Shown {
        status: status.into(),
        custom: None,
        devices: devices.iter().map(|d| (*d).to_owned()).collect(),
    }
}

/// The next presence frame about `user` seen by `socket`; frames about
/// others are skipped.
pub async fn next_of(socket: &mut StandIn, user: &str) -> Shown {
    loop {
        if let ServerFrame::Presence {
            username,
            is_logged_in,
            status,
            custom,
            devices,
            ..
        } = socket.frame().await.0
            && username == user
        {
            assert_eq!(
                is_logged_in,
                matches!(status.as_str(), "online" | "away" | "dnd")
            );
            return Shown {
                status,
                custom: custom.map(|c| (c.text, c.until)),
                devices,
            };
        }
    }
}

/// An observer socket of "obs" that has seen its own arrival.
pub async fn watching(f: &Fixture) -> StandIn {
    let mut observer = f.hub.connect("obs", "o1").await;
    observer.snapshot().await;
    assert_eq!(next_of(&mut observer, "obs").await.status, "online");
    observer
}

/// The choice of a custom status `text` until `until`.
pub fn custom_status(text: &str, until: Option<i64>) -> Choice {
    Choice::Custom(Some(CustomStatus {
        text: StatusText::parse(text).expect("a valid text"),
        until,
    }))
}

/// A hub with accounts for "ann" and "obs", and a socket of "obs" that
/// has seen its own arrival.
pub async fn observed() -> (Fixture, StandIn) {
    let f = hub_with(&["ann", "obs"], GRACE).await;
    let observer = watching(&f).await;
    (f, observer)
}

/// As [`observed`], and "ann" has one tab, both past her arrival.
pub async fn ann_online() -> (Fixture, StandIn, StandIn) {
    let (f, mut observer) = observed().await;
    let mut tab = f.hub.connect("ann", "s1").await;
    tab.snapshot().await;
    assert_eq!(next_of(&mut observer, "ann").await.status, "online");
    assert_eq!(next_of(&mut tab, "ann").await.status, "online");
    (f, observer, tab)
}
