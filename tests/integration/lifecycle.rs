//! Start-up and shutdown: no ghosts, clean closes.

use std::{
    io::{Read, Write},
    net::TcpStream,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use entity::logged_in_user;
use presence::users;
use sea_orm::{ActiveModelTrait, DbBackend, Set};

use crate::support::{
    app::{Instance, spawn_on, test_config},
    db::{TestDb, postgres_url},
    spawn_app,
};

/// No `LoggedInUser` row is left: nobody would be rendered online.
async fn assert_no_rows_left(db: &sea_orm::DatabaseConnection) {
    let rows = presence::testkit::rows(db).await;
    assert!(rows.is_empty(), "rows left: {rows:?}");
}

#[actix_web::test]
async fn shutdown_closes_sockets_with_1001_and_removes_this_nodes_rows() {
    let data = TestDb::fresh().await;
    let app = spawn_on(test_config(&data.url), None).await;
    let alice = app.logged_in("alice").await;
    let mut tab = alice.socket().await;
    tab.snapshot().await;
    app.wait_online(&["alice"]).await;
    assert_eq!(app.rows().await, ["alice"]);
    let started = std::time::Instant::now();
    app.shutdown.shutdown();
    assert_eq!(tab.close_code().await, 1001);
    tokio::time::timeout(std::time::Duration::from_secs(5), app.stopped)
        .await
        .expect("stopped within 5 s")
        .unwrap()
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // A connection of its own: the app's pool may hold connections made
    // on its worker threads, whose runtimes are gone now.
    let db = presence::db::connect(&data.url).await.unwrap();
    assert_no_rows_left(&db).await;
}

#[actix_web::test]
async fn rows_left_by_a_crashed_process_are_cleared_at_start() {
    let data = TestDb::fresh().await;
    let first = spawn_on(test_config(&data.url), None).await;
    first
        .browser()
        .sign_up("ghost", crate::support::PASSWORD)
        .await;
    let ghost = users::find_by_name(&first.db, "ghost")
        .await
        .unwrap()
        .unwrap();
    // What a process killed with -9 leaves behind.
    logged_in_user::ActiveModel {
        user_id: Set(ghost.id),
        node_id: Set("crashed-node".into()),
        since: Set(0),
        active: Set(true),
        desktop: Set(true),
        mobile: Set(false),
    }
    .insert(&first.db)
    .await
    .unwrap();
    first.stop().await;

    let second = spawn_on(test_config(&data.url), None).await;
    assert!(second.rows().await.is_empty());
    let viewer = second.logged_in("viewer").await;
    let page = viewer.page("/").await;
    assert_eq!(
        crate::support::browser::status_in(&page, "ghost").as_deref(),
        Some("offline")
    );
}

/// CI sets `DATABASE_URL` to PostgreSQL and `PRESENCE_REQUIRE_SERVICES=1`;
/// this makes sure the suite really ran there rather than on SQLite.
#[actix_web::test]
async fn the_suite_runs_on_the_database_the_environment_names() {
    let app = spawn_app().await;
    let backend = app.db.get_database_backend();
    match postgres_url() {
        Some(_) => assert_eq!(backend, DbBackend::Postgres),
        None => {
            assert_eq!(backend, DbBackend::Sqlite);
            if std::env::var("PRESENCE_REQUIRE_SERVICES").is_ok_and(|v| v == "1") {
                panic!("PRESENCE_REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL");
            }
        }
    }
}

/// The real binary, stopped with SIGTERM as a service manager would.
#[actix_web::test]
async fn sigterm_closes_sockets_with_1001_and_exits_cleanly_within_5_s() {
    let data = TestDb::fresh().await;
    let mut server = crate::support::process::ServerProcess::start(&data.url, &[]).await;
    let alice = server.browser();
    alice.sign_up_and_log_in("alice").await;
    let mut tab = alice.socket().await;
    tab.snapshot_with(&["alice"]).await;

    let started = std::time::Instant::now();
    let status = server.signal_and_wait("TERM", std::time::Duration::from_secs(5));
    assert_eq!(tab.close_code().await, 1001);
    assert!(status.expect("exited within 5 s").success());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));

    let db = presence::db::connect(&data.url).await.unwrap();
    assert_no_rows_left(&db).await;
}

/// Migrations take a lock (advisory on PostgreSQL, the write lock on
/// SQLite), so servers starting together on a fresh database all come up.
#[actix_web::test]
async fn servers_starting_at_once_on_a_fresh_database_all_migrate_it() {
    let data = TestDb::fresh().await;
    let (a, b, c) = tokio::join!(
        spawn_on(test_config(&data.url), None),
        spawn_on(test_config(&data.url), None),
        spawn_on(test_config(&data.url), None),
    );
    for app in [&a, &b, &c] {
        assert_eq!(app.browser().get("/log_in/").await.status(), 200);
    }
}

/// Every connection the server takes is answered, even one taken in the
/// instant it stops: actix-server drops the connections still queued for a
/// worker when its workers are told to stop, so presence stops accepting
/// first. Clients connect without pause through five restarts on one
/// listening socket, which the test keeps open as a socket-activated
/// service's is kept: what a stopping server no longer accepts waits in
/// the kernel's queue for the next one.
#[actix_web::test]
async fn connections_made_while_the_server_restarts_are_all_answered() {
    let data = TestDb::fresh().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let done = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..6)
        .map(|_| {
            let done = done.clone();
            std::thread::spawn(move || {
                let (mut answered, mut dropped) = (0, Vec::new());
                while !done.load(Ordering::Relaxed) {
                    match one_request(port) {
                        Ok(()) => answered += 1,
                        Err(err) => dropped.push(err),
                    }
                }
                (answered, dropped)
            })
        })
        .collect();
    for _ in 0..5 {
        let server = Instance::launch(&test_config(&data.url), &listener).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        server.stop().await;
    }
    // The last server answers whatever is still queued, then the clients stop.
    let last = Instance::launch(&test_config(&data.url), &listener).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    done.store(true, Ordering::Relaxed);
    let mut answered = 0;
    let mut dropped = Vec::new();
    for client in clients {
        let (ok, failed) = client.join().expect("client thread");
        answered += ok;
        dropped.extend(failed);
    }
    last.stop().await;
    assert!(answered > 0, "no request was answered");
    assert!(
        dropped.is_empty(),
        "{} of {} connections dropped: {:?}",
        dropped.len(),
        answered + dropped.len(),
        &dropped[..dropped.len().min(5)]
    );
}

/// One `GET /healthz` on a connection of its own: whether a response came.
fn one_request(port: u16) -> Result<(), String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|err| format!("connect: {err}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .map_err(|err| format!("timeout: {err}"))?;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .map_err(|err| format!("write: {err}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|err| format!("read: {err}"))?;
    if response.starts_with(b"HTTP/1.1 ") {
        Ok(())
    } else {
        Err(format!(
            "closed with no response ({} bytes)",
            response.len()
        ))
    }
}
