//! Render time of `GET /` and `/api/users` with 100,000 users, 10,000 online
//! (a quarter of them idle, so away), or as many as `PAGE_USERS` and
//! `PAGE_ONLINE` say.
//!
//! ```sh
//! cargo bench --bench page                       # SQLite
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench page
//! PAGE_USERS=1000000 PAGE_ONLINE=100000 cargo bench --bench page
//! ```
//!
//! Seeds a fresh database in bulk (multi-row inserts in one transaction),
//! starts the real app on 127.0.0.1, logs a viewer in through the forms and
//! times sequential requests from one client: the list page, the API's
//! first page, a search and a page deep in the directory. It prints p50 and
//! p99 per request. With a PostgreSQL `DATABASE_URL` it runs on SQLite and
//! then on a fresh PostgreSQL database, which it drops afterwards.
//!
//! This is a benchmark, not a test: it asserts only that the set-up worked
//! (the page shows the online count), never a time.

use std::{
    net::TcpListener,
    time::{Duration, Instant},
};

use entity::{logged_in_user, user};
use presence::{
    api::query::Search,
    config::Config,
    db,
    startup::Application,
    users::directory::{ListRank, Position},
};
use reqwest::{Client, redirect::Policy};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};

// The test suite's fresh databases: SQLite in a temporary directory, or a
// new PostgreSQL database.
#[allow(dead_code)]
#[path = "../tests/integration/support/db.rs"]
mod test_db;
use test_db::{TestDb, postgres_url};

/// `name`'s value from the environment, or `default`.
fn size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}
/// Rows per multi-row insert: 5 columns stay far below SQLite's limit of
/// 32,766 bound parameters per statement.
const CHUNK: usize = 1_000;
const PASSWORD: &str = "johnson123";
/// Name stems, so that searches match a realistic share of the directory.
const STEMS: [&str; 16] = [
    "alex", "bea", "chris", "dana", "eli", "fatima", "gus", "hana", "ivan", "jo", "kim", "lena",
    "mo", "nina", "omar", "pia",
];

/// The `i`-th seeded name: `alex000000`, `bea000001`, ...
fn name(i: usize) -> String {
    format!("{}{i:06}", STEMS[i % STEMS.len()])
}

/// Inserts `users` accounts and marks `online` of them, spread evenly, as
/// connected, as rows another node wrote (this node clears its own rows
/// when it starts): three in four active, the rest idle.
async fn seed(db: &DatabaseConnection, users: usize, online: usize) {
    let started = Instant::now();
    let txn = db.begin().await.expect("begin");
    let names: Vec<usize> = (0..users).collect();
    for chunk in names.chunks(CHUNK) {
        let rows = chunk.iter().map(|&i| user::ActiveModel {
            username: Set(name(i)),
            username_key: Set(name(i)),
            password_hash: Set("!unusable".into()),
            created_at: Set(0),
            // A spread of last-seen times over the past month.
            last_seen_at: Set(Some(db::now_millis() - (i as i64 % 43_200) * 60_000)),
            ..Default::default()
        });
        user::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await
            .expect("insert users");
    }
    txn.commit().await.expect("commit");
    let ids: Vec<i64> = (1..=users as i64)
        .step_by((users / online.max(1)).max(1))
        .take(online)
        .collect();
    let txn = db.begin().await.expect("begin");
    for chunk in ids.chunks(CHUNK) {
        let rows = chunk.iter().map(|&user_id| logged_in_user::ActiveModel {
            user_id: Set(user_id),
            node_id: Set("bench-other-node".into()),
            since: Set(db::now_millis()),
            active: Set(user_id % 4 != 0),
            desktop: Set(true),
            mobile: Set(false),
        });
        logged_in_user::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await
            .expect("insert online rows");
    }
    txn.commit().await.expect("commit");
    println!(
        "  seeded {users} users, {online} online, in {:.1?}",
        started.elapsed()
    );
}

/// The CSRF token of the form in `page`.
fn csrf_token(page: &str) -> String {
    let marker = r#"name="csrfmiddlewaretoken" value=""#;
    let start = page.find(marker).expect("a form") + marker.len();
    page[start..start + page[start..].find('"').expect("token end")].to_owned()
}

/// A client logged in as a new account `viewer`, through the forms.
async fn viewer(address: &str) -> Client {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("client");
    for (path, fields) in [
        (
            "/sign_up/",
            vec![
                ("username", "viewer"),
                ("password1", PASSWORD),
                ("password2", PASSWORD),
            ],
        ),
        (
            "/log_in/",
            vec![("username", "viewer"), ("password", PASSWORD)],
        ),
    ] {
        let url = format!("{address}{path}");
        let form = client
            .get(&url)
            .send()
            .await
            .expect("form")
            .text()
            .await
            .expect("body");
        let token = csrf_token(&form);
        let mut fields = fields;
        fields.push(("csrfmiddlewaretoken", &token));
        let response = client
            .post(&url)
            .form(&fields)
            .send()
            .await
            .expect("submit");
        assert_eq!(response.status(), 303, "{path} failed");
    }
    client
}

/// Times `rounds` sequential `GET`s of `path` after a warm-up and prints
/// the percentiles.
async fn measure(client: &Client, address: &str, label: &str, path: &str, rounds: usize) {
    let url = format!("{address}{path}");
    let mut bytes = 0;
    for _ in 0..rounds / 10 {
        bytes = client
            .get(&url)
            .send()
            .await
            .expect("GET")
            .bytes()
            .await
            .expect("body")
            .len();
    }
    let mut times: Vec<Duration> = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let response = client.get(&url).send().await.expect("GET");
        assert_eq!(response.status(), 200, "{path}");
        response.bytes().await.expect("body");
        times.push(started.elapsed());
    }
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    println!(
        "  {label:<28} p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms   {:>9} bytes",
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        bytes
    );
}

/// Seeds `database_url`, starts the app on it and prints the timings.
async fn run(backend: &str, database_url: &str, users: usize, online: usize) {
    println!("{backend}: {users} users, {online} online");
    let conn = db::connect(database_url).await.expect("connect");
    db::migrate(&conn).await.expect("migrate");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let config = Config {
        bind_addr: "127.0.0.1:0".into(),
        database_url: database_url.to_owned(),
        bcrypt_cost: 4,
        secret_key: Some(
            "bench-secret-key-that-is-long-enough-to-sign"
                .parse()
                .expect("key"),
        ),
        rust_log: "warn".into(),
        ..Config::default()
    };
    let app = Application::build(config, listener)
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let shutdown = app.shutdown_handle();
    let server = actix_web::rt::spawn(app.run_until_stopped());
    // After the build, which clears rows left by earlier processes.
    seed(&conn, users, online).await;
    if backend == "PostgreSQL" {
        conn.execute_unprepared("ANALYZE").await.expect("analyze");
    }

    let client = viewer(&address).await;
    let page = client
        .get(format!("{address}/"))
        .send()
        .await
        .expect("GET /");
    let page = page.text().await.expect("page");
    // The viewer's login counts while its grace period lasts.
    let shows = |count: usize| page.contains(&format!(r#"<span id="online-count">{count}</span>"#));
    assert!(
        shows(online) || shows(online + 1),
        "the page does not show {online} online"
    );

    // Near the end of the directory: "pia" is the last stem by name.
    let deep = Search::everyone_after(&Position {
        rank: ListRank::Offline,
        key: format!("pia{:06}", users - 1_000),
    });
    let deep = format!("/api/users?after={deep}");
    for (label, path, rounds) in [
        ("GET /", "/", 200),
        ("GET /api/users", "/api/users", 500),
        ("GET /api/users?q=lena", "/api/users?q=lena", 500),
        ("GET /api/users?q=lena0091", "/api/users?q=lena0091", 500),
        ("GET /api/users?after=(deep)", &deep, 500),
    ] {
        measure(&client, &address, label, path, rounds).await;
    }

    shutdown.shutdown();
    let _ = server.await;
    conn.close().await.ok();
}

#[actix_web::main]
async fn main() {
    presence::telemetry::init("warn");
    let (users, online) = (size("PAGE_USERS", 100_000), size("PAGE_ONLINE", 10_000));
    let sqlite = TestDb::sqlite();
    run("SQLite", &sqlite.url, users, online).await;

    let Some(url) = postgres_url() else {
        println!("PostgreSQL: skipped (DATABASE_URL does not name a PostgreSQL server)");
        return;
    };
    let postgres = TestDb::postgres(&url).await;
    run("PostgreSQL", &postgres.url, users, online).await;
    postgres.remove().await;
}
