//! A database that stalls does not stop presence: an SQLite file locked
//! by another process, and a PostgreSQL server frozen with `SIGSTOP`.
//! Presence keeps flowing to sockets, `/healthz` says the database is
//! failing, and the `LoggedInUser` rows catch up once it answers again.

use std::time::{Duration, Instant};

use crate::support::{
    PASSWORD, TestSocket,
    app::{TestApp, spawn_on, test_config},
    db::TestDb,
    metrics::{metric, scrape},
    postgres::OwnPostgres,
    sqlite_lock::SqliteLock,
};

/// Longer than a presence event takes with the database away (a write is
/// held back for it at most a fraction of a second), and much shorter than
/// the three events below took when each waited for its write: SQLite's
/// own busy timeout (5 s) each, or forever on a frozen PostgreSQL.
const THREE_EVENTS: Duration = Duration::from_secs(8);
/// How long the database may take to catch up once it answers again.
const CATCH_UP: Duration = Duration::from_secs(20);

/// The JSON of `GET /healthz`, which must answer within a few seconds.
async fn health(app: &TestApp) -> (u16, serde_json::Value) {
    let asked = Instant::now();
    let response = app.browser().get("/healthz").await;
    let status = response.status().as_u16();
    let body = response.json().await.expect("JSON");
    assert!(
        asked.elapsed() < Duration::from_secs(3),
        "/healthz took {:?}",
        asked.elapsed()
    );
    (status, body)
}

/// Polls `/healthz` until it answers `status`.
async fn wait_health(app: &TestApp, status: u16) -> serde_json::Value {
    let deadline = Instant::now() + CATCH_UP;
    loop {
        let (now, body) = health(app).await;
        if now == status {
            return body;
        }
        assert!(Instant::now() < deadline, "/healthz still says {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls until the rows name exactly `expected` and the presence writer
/// has nothing left to write: no write in flight could still land (or
/// hold up another process's lock) after this returns.
async fn wait_rows(app: &TestApp, expected: &[&str]) {
    // Every server of the suite shares one metrics recorder: this node's.
    let node = health(app).await.1["node_id"].to_string();
    let labels = [format!("node={node}"), "store=\"presence\"".to_owned()];
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    let deadline = Instant::now() + CATCH_UP;
    loop {
        let backlog = metric(&scrape(app).await, "presence_store_backlog", &labels);
        let rows = app.rows().await;
        if rows == expected && backlog == 0.0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "rows are {rows:?} with {backlog} unwritten, not {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A server on `url` whose users go offline with their last socket.
async fn server(url: &str, db: Option<TestDb>) -> TestApp {
    let mut config = test_config(url);
    config.presence_grace_ms = 0;
    config.presence_login_hold_ms = 0;
    spawn_on(config, db).await
}

/// A way to stall a database and let it answer again.
trait Stall {
    /// The database stops answering (or taking writes).
    fn freeze(&mut self);
    /// It answers again.
    fn thaw(&mut self);
}

/// Locks the SQLite file from another process.
struct LockedSqlite {
    test: &'static str,
    url: String,
    lock: Option<SqliteLock>,
}

impl Stall for LockedSqlite {
    fn freeze(&mut self) {
        self.lock = SqliteLock::take(self.test, &self.url);
        assert!(self.lock.is_some(), "{}: could not lock", self.test);
    }
    fn thaw(&mut self) {
        self.lock.take();
    }
}

impl Stall for OwnPostgres {
    fn freeze(&mut self) {
        OwnPostgres::freeze(self);
    }
    fn thaw(&mut self) {
        OwnPostgres::thaw(self);
    }
}

/// A server on a fresh SQLite file, and the means to lock that file.
async fn on_sqlite(test: &'static str) -> (TestApp, LockedSqlite) {
    let db = TestDb::sqlite();
    let url = db.url.clone();
    let app = server(&url, Some(db)).await;
    let lock = LockedSqlite {
        test,
        url,
        lock: None,
    };
    (app, lock)
}

/// With the database stalled: three users close their sockets in turn,
/// and the watcher hears of each quickly; `/healthz` says the database
/// fails. Returns the watcher's socket, the database still stalled.
async fn stalled(app: &TestApp, stall: &mut dyn Stall) -> crate::support::TestSocket {
    let (_watcher, mut watcher) = app.observer("watcher").await;
    let mut sockets = Vec::new();
    for name in ["ann", "bob", "cid"] {
        let browser = app.logged_in(name).await;
        let socket = browser.socket().await;
        assert!(watcher.presence_of(name).await);
        sockets.push((name, browser, socket));
    }
    wait_rows(app, &["ann", "bob", "cid", "watcher"]).await;

    stall.freeze();
    let started = Instant::now();
    for (name, _browser, socket) in sockets {
        socket.close().await;
        assert!(!watcher.presence_of(name).await, "{name} stayed online");
    }
    let took = started.elapsed();
    eprintln!("three offline events with the database stalled took {took:?}");
    assert!(
        took < THREE_EVENTS,
        "presence waited on the database: {took:?}"
    );
    let body = wait_health(app, 503).await;
    assert!(
        body["failed"].to_string().contains("database"),
        "/healthz: {body}"
    );
    watcher
}

/// Lets the database answer again; the rows become exactly `rows`.
async fn recovered(app: &TestApp, stall: &mut dyn Stall, rows: &[&str]) {
    stall.thaw();
    wait_rows(app, rows).await;
    wait_health(app, 200).await;
}

#[actix_web::test]
async fn presence_flows_while_another_process_locks_the_sqlite_file_and_the_rows_catch_up() {
    let (app, mut stall) =
        on_sqlite("presence_flows_while_another_process_locks_the_sqlite_file").await;
    // Logged in before the lock, dan opens a socket during it.
    let dan = app.logged_in("dan").await;
    let mut watcher = stalled(&app, &mut stall).await;
    let _socket = dan.socket().await;
    assert!(watcher.presence_of("dan").await);
    assert_eq!(
        app.rows().await,
        ["ann", "bob", "cid", "watcher"],
        "written meanwhile?"
    );
    recovered(&app, &mut stall, &["dan", "watcher"]).await;
    app.stop().await;
}

#[actix_web::test]
async fn presence_flows_while_postgresql_is_frozen_with_sigstop_and_the_rows_catch_up() {
    let Some(mut postgres) = OwnPostgres::start("presence_flows_while_postgresql_is_frozen") else {
        return;
    };
    let app = server(&postgres.url("postgres"), None).await;
    let eve = app.logged_in("eve").await;
    let _watcher = stalled(&app, &mut postgres).await;
    // A login and an upgrade need the database: a clear 503, not a hang.
    let response = app.browser().log_in("ann", PASSWORD).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let refused = TestSocket::open(&eve, Some(&app.address)).await;
    assert_eq!(refused.err().map(|status| status.as_u16()), Some(503));
    recovered(&app, &mut postgres, &["watcher"]).await;
    app.stop().await;
}

#[actix_web::test]
async fn a_write_that_failed_is_retried_until_it_lands_with_one_pending_state_per_user() {
    let (app, mut stall) = on_sqlite("a_write_that_failed_is_retried_until_it_lands").await;
    let (_w, mut watcher) = app.observer("watcher").await;
    let ann = app.logged_in("ann").await;
    // Once the watcher has seen a socket of ann's come and go, the hub has
    // handled her login too, and every write of it is in the writer's hands.
    let socket = ann.socket().await;
    assert!(watcher.presence_of("ann").await);
    socket.close().await;
    assert!(!watcher.presence_of("ann").await);
    wait_rows(&app, &["watcher"]).await;
    let node = health(&app).await.1["node_id"]
        .as_str()
        .expect("node id")
        .to_owned();
    let node = format!("node=\"{node}\"");
    let presence = "store=\"presence\"";

    stall.freeze();
    // Many events for one user while writes fail.
    for _ in 0..10 {
        let socket = ann.socket().await;
        assert!(watcher.presence_of("ann").await);
        socket.close().await;
        assert!(!watcher.presence_of("ann").await);
    }
    let _socket = ann.socket().await;
    assert!(watcher.presence_of("ann").await);
    let deadline = Instant::now() + CATCH_UP;
    loop {
        let text = scrape(&app).await;
        let failures = metric(
            &text,
            "presence_store_write_failures_total",
            &[&node, presence],
        );
        let backlog = metric(&text, "presence_store_backlog", &[&node, presence]);
        if failures >= 1.0 {
            eprintln!("while locked: {failures} failed writes, backlog {backlog}");
            assert_eq!(
                backlog, 1.0,
                "one pending state for ann, whatever the events"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no failed write counted:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.rows().await, ["watcher"]);

    recovered(&app, &mut stall, &["ann", "watcher"]).await;
    let text = scrape(&app).await;
    assert_eq!(
        metric(&text, "presence_store_backlog", &[&node, presence]),
        0.0
    );
    app.stop().await;
}
