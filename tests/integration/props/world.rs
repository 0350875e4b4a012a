//! The server fixture of the handler properties: a running app where a
//! victim and an observer are logged in with open tabs, and an attacker
//! sends the random input. After every case it checks that the victim's
//! presence has not moved.

use std::{cell::RefCell, time::Duration};

use presence::auth::token;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};

use crate::support::{
    Browser, TestSocket,
    app::TestApp,
    browser::{csrf_token_in, status_in},
    spawn_app,
};

/// The user whose presence must never move.
pub(super) const VICTIM: &str = "victim";
/// A second user, watching the victim from an open tab.
pub(super) const OBSERVER: &str = "observer";
/// The user who sends the random input (password `support::PASSWORD`).
pub(super) const ATTACKER: &str = "attacker";
/// How long each case watches for a stray frame about the victim.
pub(super) const QUIET: Duration = Duration::from_millis(25);
/// Longer than the test grace period of 1 s: a victim wrongly put into a
/// grace hold would be announced offline within it.
pub(super) const AFTER_GRACE: Duration = Duration::from_millis(1500);

/// A running server where `victim` and `observer` are logged in, each with
/// an open tab, and `attacker` has an account (password `support::PASSWORD`).
/// The victim's and observer's passwords are random, so no random input
/// can log in as them.
pub(super) struct World {
    /// The server, with its hub and database.
    pub(super) app: TestApp,
    /// The victim's browser, logged in.
    pub(super) victim: Browser,
    /// The victim's open tab.
    pub(super) victim_tab: TestSocket,
    /// The observer's open tab, where news of the victim would show.
    pub(super) observer_tab: TestSocket,
    /// The attacker's browser, logged in; the random input comes from it.
    pub(super) attacker: Browser,
}

impl World {
    /// Starts a server and logs the three users in.
    pub(super) async fn new() -> Self {
        let app = spawn_app().await;
        let victim = app.browser();
        let secret = format!("v-{}", token::random(24));
        assert_eq!(victim.sign_up(VICTIM, &secret).await.status(), 303);
        assert_eq!(victim.log_in(VICTIM, &secret).await.status(), 303);
        let mut victim_tab = victim.socket().await;
        victim_tab.snapshot_with(&[VICTIM]).await;

        let observer = app.browser();
        let secret = format!("o-{}", token::random(24));
        assert_eq!(observer.sign_up(OBSERVER, &secret).await.status(), 303);
        assert_eq!(observer.log_in(OBSERVER, &secret).await.status(), 303);
        let mut observer_tab = observer.socket().await;
        observer_tab.snapshot_with(&[OBSERVER, VICTIM]).await;

        let attacker = app.logged_in(ATTACKER).await;
        Self {
            app,
            victim,
            victim_tab,
            observer_tab,
            attacker,
        }
    }

    /// The victim's presence is as it was: no frame about them reached the
    /// observer or their own tab (both of which are still open), the hub and
    /// the rows have them online, and their own list shows them (and the
    /// observer) online.
    pub(super) async fn victim_unchanged(&mut self, quiet: Duration) -> Result<(), TestCaseError> {
        self.observer_tab.assert_no_presence_of(VICTIM, quiet).await;
        self.victim_tab.assert_no_presence_of(VICTIM, quiet).await;
        let online = self.app.online().await;
        prop_assert!(
            online.iter().any(|name| name == VICTIM) && online.iter().any(|name| name == OBSERVER),
            "online is {online:?}"
        );
        let rows = self.app.rows().await;
        prop_assert!(rows.iter().any(|name| name == VICTIM), "rows are {rows:?}");
        let response = self.victim.get("/").await;
        prop_assert_eq!(response.status().as_u16(), 200, "the victim's list");
        let page = response.text().await.expect("body");
        for name in [VICTIM, OBSERVER] {
            let status = status_in(&page, name);
            prop_assert_eq!(
                status.as_deref(),
                Some("online"),
                "{} on the victim's list",
                name
            );
        }
        Ok(())
    }

    /// After the last case: nothing about the victim even after a grace
    /// period, and the server still stops cleanly.
    pub(super) async fn finish(mut self) {
        if let Err(err) = self.victim_unchanged(AFTER_GRACE).await {
            panic!("after the last case: {err}");
        }
        self.app.stop().await;
    }
}

/// An HTTP client on `browser`'s cookie jar that does not follow redirects.
pub(super) fn client_of(browser: &Browser) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .cookie_provider(browser.jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// The session's CSRF token, read from the login form.
pub(super) async fn fetch_token(client: &reqwest::Client, address: &str) -> String {
    let page = client
        .get(format!("{address}/log_in/"))
        .send()
        .await
        .expect("GET /log_in/")
        .text()
        .await
        .expect("body");
    csrf_token_in(&page).expect("a token on /log_in/")
}

/// Runs the property `case` against one [`World`] for every input of
/// `strategy`, with the server's case count, then checks the victim once
/// more after a grace period. One server serves every case: a fresh one
/// per case would cost more than the case itself.
pub(super) fn check_against_world<S: Strategy>(
    strategy: &S,
    case: impl AsyncFn(&mut World, S::Value) -> Result<(), TestCaseError>,
) {
    let system = actix_web::rt::System::new();
    let world = RefCell::new(system.block_on(World::new()));
    let mut runner = TestRunner::new(super::server_config());
    let result = runner.run(strategy, |value| {
        // Borrowed outside the future: `block_on` finishes with it before
        // the next case borrows again.
        let mut world = world.borrow_mut();
        system.block_on(case(&mut world, value))
    });
    if let Err(err) = result {
        panic!("{err}");
    }
    system.block_on(world.into_inner().finish());
}
