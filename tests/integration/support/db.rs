//! A fresh database per test: SQLite in a temporary directory, or a new
//! PostgreSQL database when `DATABASE_URL` points at a PostgreSQL server.

use sea_orm::{ConnectionTrait, Database};
use tempfile::TempDir;

/// A database that lives as long as this value.
pub struct TestDb {
    /// The URL the app connects to.
    pub url: String,
    _dir: Option<TempDir>,
    /// For PostgreSQL: the server's URL as given, and the database's name.
    #[allow(dead_code)] // read by `remove`, which only benches/page.rs calls
    postgres: Option<(String, String)>,
}

/// Whether the suite runs against PostgreSQL.
pub fn postgres_url() -> Option<String> {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"))
}

impl TestDb {
    /// Creates an empty database: PostgreSQL when `DATABASE_URL` names a
    /// server, SQLite otherwise.
    pub async fn fresh() -> Self {
        match postgres_url() {
            Some(url) => Self::postgres(&url).await,
            None => Self::sqlite(),
        }
    }

    /// An SQLite file in a temporary directory that goes with this value.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        Self {
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A new database with a random name on the PostgreSQL server of
    /// `server_url`.
    pub async fn postgres(server_url: &str) -> Self {
        let name = format!(
            "presence_test_{}",
            presence::auth::token::random(12).to_lowercase()
        );
        on_server(server_url, &format!("CREATE DATABASE {name}")).await;
        Self {
            url: with_database(server_url, &name),
            _dir: None,
            postgres: Some((server_url.to_owned(), name)),
        }
    }

    /// Drops a PostgreSQL database now, closing whatever still uses it
    /// (an SQLite file goes with its directory anyway). Tests leave theirs
    /// for inspection; the benchmark, whose databases are large, does not.
    #[allow(dead_code)] // only benches/page.rs calls it
    pub async fn remove(self) {
        let Some((server_url, name)) = self.postgres else {
            return;
        };
        on_server(&server_url, &format!("DROP DATABASE {name} WITH (FORCE)")).await;
    }
}

/// Runs one statement on the database `server_url` names, as the
/// administrator of the test databases.
async fn on_server(server_url: &str, sql: &str) {
    let admin = Database::connect(server_url)
        .await
        .expect("connect to DATABASE_URL");
    admin
        .execute_unprepared(sql)
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"));
    admin.close().await.ok();
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

#[test]
fn the_database_name_is_replaced() {
    assert_eq!(
        with_database("postgres://root@127.0.0.1:5432/test", "x"),
        "postgres://root@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://h/test?sslmode=disable", "x"),
        "postgres://h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}
