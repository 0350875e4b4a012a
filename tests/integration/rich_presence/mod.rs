//! Rich presence over real sockets: every client frame, good and bad, the
//! frame budget, who a frame may change, a user's other tabs, statuses
//! across a restart, devices from the `User-Agent`, and an invisible user
//! on every surface (frames, `/`, `/api/users`, the count).

mod frames;
mod surfaces;

use std::time::Duration;

use presence::live::protocol::ServerFrame;
use serde_json::Value;

use crate::{
    directory::json,
    support::{Browser, TestSocket},
};

/// Long enough for a frame that should not come to have come.
pub(super) const QUIET: Duration = Duration::from_millis(500);
/// Between two client frames: well within the budget of 5 a second.
pub(super) const PACE: Duration = Duration::from_millis(150);

pub(super) const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) \
                     AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
pub(super) const LAPTOP: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 \
                      (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

/// What a presence frame says: status, custom text and expiry, devices.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Shown {
    pub status: String,
    pub custom: Option<(String, Option<i64>)>,
    pub devices: Vec<String>,
    pub last_seen_at: Option<i64>,
}

/// The next presence frame about `user` on `socket`.
pub(super) async fn next_of(socket: &mut TestSocket, user: &str) -> Shown {
    match socket.presence_frame_of(user).await {
        ServerFrame::Presence {
            is_logged_in,
            status,
            custom,
            devices,
            last_seen_at,
            ..
        } => {
            assert_eq!(
                is_logged_in,
                matches!(status.as_str(), "online" | "away" | "dnd")
            );
            Shown {
                status,
                custom: custom.map(|c| (c.text, c.until)),
                devices,
                last_seen_at,
            }
        }
        other => unreachable!("{other:?}"),
    }
}

/// The status of `user` in the next presence frame about them.
pub(super) async fn status_of(socket: &mut TestSocket, user: &str) -> String {
    next_of(socket, user).await.status
}

/// Presence frames about `user` until one has `devices`.
pub(super) async fn until_devices(socket: &mut TestSocket, user: &str, devices: &[&str]) {
    loop {
        if next_of(socket, user).await.devices == devices {
            return;
        }
    }
}

/// `user` on one page of `/api/users`.
pub(super) async fn api_user(browser: &Browser, user: &str) -> Value {
    let page = json(browser, &format!("/api/users?q={user}")).await;
    page["users"]
        .as_array()
        .and_then(|users| users.iter().find(|u| u["username"] == user))
        .cloned()
        .unwrap_or_else(|| panic!("{user} is not listed"))
}

/// The number in the page's online count.
pub(super) fn online_count(page: &str) -> u32 {
    let marker = r#"<span id="online-count">"#;
    let start = page.find(marker).expect("the count") + marker.len();
    let end = page[start..].find('<').expect("the count's end") + start;
    page[start..end].parse().expect("a number")
}

/// The `<li>` of `user` in a rendered list.
pub(super) fn item_of<'a>(page: &'a str, user: &str) -> &'a str {
    let start = page
        .find(&format!(r#"<li class="user" data-username="{user}""#))
        .unwrap_or_else(|| panic!("{user} is not listed"));
    let end = page[start..].find("</li>").expect("the item's end") + start;
    &page[start..end]
}

/// Alice watching, and bob with one open tab she has seen arrive.
pub(super) async fn alice_and_bob(
    app: &crate::support::app::TestApp,
) -> (Browser, TestSocket, Browser, TestSocket) {
    let (alice, mut watch) = app.observer("alice").await;
    let bob = app.logged_in("bob").await;
    let mut tab = bob.socket().await;
    // Past bob's own arrival: his login may be announced after the tab's
    // snapshot was sent (a slow write), and that frame would otherwise be
    // the first a test reads about him on this tab.
    tab.snapshot_with(&["bob"]).await;
    assert_eq!(status_of(&mut watch, "bob").await, "online");
    (alice, watch, bob, tab)
}
