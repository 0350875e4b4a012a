//! Drives a presence hub by hand, with stand-in sessions in place of
//! browser tabs, and prints each message sent to the hub and each frame
//! the sockets receive, as it happens.
//!
//! ```sh
//! cargo run --example hub_by_hand
//! ```
//!
//! Read it beside `docs/actors.md`: each scene is one of the tour's
//! sequence diagrams.

use std::time::Duration;

use presence::testkit::{Seen, StandIn, TestHub};

/// The grace period of this hub: short, so the scenes run quickly.
const GRACE: Duration = Duration::from_millis(300);

#[actix_web::main]
async fn main() {
    let hub = TestHub::start(GRACE).await;
    for name in ["ann", "obs"] {
        hub.add_user(name).await;
    }

    scene("obs opens a tab: the hub answers with a snapshot, then announces obs");
    say("WsSession(obs) -> hub: Connect { user: obs, session: login-obs }");
    let mut obs = hub.connect("obs", "login-obs").await;
    show("obs", &mut obs).await;

    scene("ann opens her first tab: everyone hears she is online");
    say("WsSession(ann #1) -> hub: Connect { user: ann, session: login-ann }");
    let first = hub.connect("ann", "login-ann").await;
    show("obs", &mut obs).await;

    scene("ann opens a second tab: nobody hears anything");
    say("WsSession(ann #2) -> hub: Connect { user: ann, session: login-ann }");
    let second = hub.connect("ann", "login-ann").await;
    show("obs", &mut obs).await;

    scene("ann closes her first tab: she still has one, nobody hears anything");
    say("WsSession(ann #1) -> hub: Disconnect");
    first.disconnect().await;
    show("obs", &mut obs).await;

    scene("ann reloads her last tab inside the grace period: no flap");
    say("WsSession(ann #2) -> hub: Disconnect   (the hub holds ann online)");
    second.disconnect().await;
    tokio::time::sleep(GRACE / 3).await;
    say("WsSession(ann #3) -> hub: Connect      (the hold is superseded)");
    let reloaded = hub.connect("ann", "login-ann").await;
    show("obs", &mut obs).await;

    scene("ann closes her last tab for good: offline once the grace period ends");
    say("WsSession(ann #3) -> hub: Disconnect");
    reloaded.disconnect().await;
    tokio::time::sleep(GRACE).await;
    show("obs", &mut obs).await;

    scene("ann logs in again: online before her page even opens a socket");
    say("log-in handler -> hub: UserLoggedIn { user: ann, session: login-2 }");
    hub.log_in("ann", "login-2").await;
    show("obs", &mut obs).await;
    say("WsSession(ann, login-2) -> hub: Connect");
    let mut tab = hub.connect("ann", "login-2").await;
    show("ann's tab", &mut tab).await;
    show("obs", &mut obs).await;

    scene("ann logs out: her tab is closed with 1000 and she is offline at once");
    say("log-out handler -> hub: UserLoggedOut { user: ann, session: login-2 }");
    hub.log_out("ann", "login-2").await;
    show("ann's tab", &mut tab).await;
    show("obs", &mut obs).await;

    println!("\nThe LoggedInUser rows now name: {:?}", hub.rows().await);
}

fn scene(title: &str) {
    println!("\n== {title}");
}

fn say(message: &str) {
    println!("   {message}");
}

/// Prints what `socket` received within a moment.
async fn show(who: &str, socket: &mut StandIn) {
    // The store writes each change before the hub announces it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let seen = socket.drain();
    if seen.is_empty() {
        println!("   {who} receives nothing");
    }
    for thing in seen {
        match thing {
            Seen::Frame(_, raw) => println!("   {who} <- {}", raw.as_str()),
            Seen::Closed(reason) => println!("   {who} <- close ({reason:?})"),
        }
    }
}
