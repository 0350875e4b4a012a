//! Connecting to the database and bringing its schema up to date.
//!
//! One code path serves SQLite (the default, embedded) and PostgreSQL (the
//! production database, shared by several nodes).

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, RuntimeErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteError, SqliteJournalMode, SqliteSynchronous},
};

/// How long a request waits for a pooled connection before it gives up
/// with a 503, rather than hanging while the database is away.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long one database call a request waits on may take: a login, a
/// logout or a WebSocket upgrade answers 503 after this rather than hang
/// on a database that stopped answering. (A pool's acquire timeout does
/// not cover a query sent on a connection whose server froze.)
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(3);

/// How much of an SQLite file connections map into memory (shared by all
/// of them, and only as large as the file).
const SQLITE_MMAP_BYTES: u64 = 256 * 1024 * 1024;

/// An arbitrary constant that names presence's migration lock in
/// PostgreSQL's advisory lock space.
const MIGRATION_LOCK_ID: i64 = 0x7072_6573_656e_6365; // "presence"

/// How long to wait between attempts when a fresh SQLite file is busy
/// being switched to WAL by another process, at first and at most.
const BUSY_RETRY_FIRST: Duration = Duration::from_millis(10);
const BUSY_RETRY_MAX: Duration = Duration::from_millis(200);

/// Opens a connection pool for `url`.
///
/// Switching a new SQLite file to WAL needs an exclusive lock that the busy
/// timeout cannot wait for (SQLite answers `SQLITE_BUSY` at once), so when
/// several processes open a fresh file together all but one may be refused.
/// The switch is quick and happens once per file, so a refused connect is
/// retried with growing pauses for up to [`ACQUIRE_TIMEOUT`].
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let deadline = tokio::time::Instant::now() + ACQUIRE_TIMEOUT;
    let mut pause = BUSY_RETRY_FIRST;
    loop {
        match Database::connect(options(url)).await {
            Err(err) if is_sqlite_busy(&err) && tokio::time::Instant::now() + pause < deadline => {
                tracing::debug!(?pause, "SQLite file busy at connect; retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(BUSY_RETRY_MAX);
            }
            result => return result,
        }
    }
}

/// Whether `err` is SQLite's `SQLITE_BUSY` (primary code 5, in any of its
/// extended forms), the one refusal that goes away by itself.
fn is_sqlite_busy(err: &DbErr) -> bool {
    const SQLITE_BUSY: i32 = 5;
    let DbErr::Conn(RuntimeErr::SqlxError(err)) = err else {
        return false;
    };
    let sea_orm::sqlx::Error::Database(db) = err.as_ref() else {
        return false;
    };
    db.try_downcast_ref::<SqliteError>().is_some()
        && db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| code & 0xff == SQLITE_BUSY)
}

/// The pool settings for `url`, with the SQLite tuning (ignored elsewhere).
fn options(url: &str) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(16)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_timeout(ACQUIRE_TIMEOUT)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts
                // WAL lets page renders read while the presence store writes.
                .journal_mode(SqliteJournalMode::Wal)
                // In WAL mode NORMAL syncs at checkpoints rather than at
                // every commit, as SQLite recommends: still safe against
                // corruption, and a power cut can only undo the last few
                // commits (a login, a last-seen time). Every login commits
                // session rows, and with a sync per commit the disk's
                // stalls reached the WebSocket handshakes (BENCHMARKS.md).
                .synchronous(SqliteSynchronous::Normal)
                // Reads through a shared memory map rather than a `pread`
                // per page, and a page cache of 16 MiB per connection
                // rather than 2: the list page walks 10,000 users' rows,
                // and with the defaults a fifth of its time went to
                // copying pages the connection had read a moment before.
                .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
                .pragma("cache_size", "-16384")
        });
    // sqlx pings a pooled connection every time it is handed out. Against
    // a server that is how a connection dropped by a restart, a proxy or a
    // firewall is found before a request fails on it, so PostgreSQL keeps
    // it. An SQLite connection is in this process and cannot be dropped
    // that way; its ping is only one more hop to the connection's worker
    // thread and back, which was half of the database's cost in every
    // WebSocket handshake (BENCHMARKS.md).
    options.test_before_acquire(!is_sqlite(url));
    options
}

/// Whether `url` names an SQLite database.
fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// Applies pending migrations.
///
/// Several nodes (or test servers) may start at once, so the migration runs
/// in one transaction that first takes a lock: an advisory lock on
/// PostgreSQL, the write lock on SQLite. The others wait, then find nothing
/// left to do.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let txn = db.begin().await?;
            txn.execute_unprepared(&format!(
                "SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})"
            ))
            .await?;
            Migrator::up(&txn, None).await?;
            txn.commit().await
        }
        DbBackend::Sqlite => {
            // BEGIN IMMEDIATE takes the write lock first, so a second
            // process waits (up to the busy timeout) instead of racing.
            let options = TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            };
            let txn = db.begin_with_options(options).await?;
            Migrator::up(&txn, None).await?;
            txn.commit().await
        }
        _ => Migrator::up(db, None).await,
    }
}

/// Runs `call` with a deadline. Past it, the call is dropped (a
/// transaction in it rolls back) and the answer is a connection error, so
/// that [`AppError`](crate::error::AppError) makes it a 503 like any other
/// database that does not answer.
pub async fn within<T>(
    deadline: Duration,
    call: impl Future<Output = Result<T, DbErr>>,
) -> Result<T, DbErr> {
    tokio::time::timeout(deadline, call)
        .await
        .unwrap_or_else(|_elapsed| Err(timed_out(deadline)))
}

/// The error of a call that ran past its deadline.
pub fn timed_out(deadline: Duration) -> DbErr {
    DbErr::Conn(RuntimeErr::Internal(format!(
        "the database did not answer within {deadline:?}"
    )))
}

/// The current time as Unix epoch milliseconds, the unit of every
/// timestamp column.
pub fn now_millis() -> i64 {
    let elapsed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The race behind a start of several servers on one new file: each
    /// round opens a fresh file from eight pools at once.
    #[actix_web::test]
    async fn pools_opened_at_once_on_a_fresh_sqlite_file_all_connect() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("db").display());
            let opened = futures_util::future::join_all((0..8).map(|_| connect(&url))).await;
            for pool in opened {
                assert!(pool.is_ok(), "{:?}", pool.err());
            }
        }
    }

    /// The one value `PRAGMA name` answers.
    async fn pragma<T: sea_orm::TryGetable>(db: &DatabaseConnection, name: &str) -> T {
        let sql = sea_orm::Statement::from_string(DbBackend::Sqlite, format!("PRAGMA {name}"));
        let row = db.query_one_raw(sql).await.unwrap().expect("one row");
        row.try_get_by_index(0).unwrap()
    }

    #[actix_web::test]
    async fn sqlite_files_use_wal_and_sync_at_checkpoints() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("db").display());
        let db = connect(&url).await.unwrap();
        assert_eq!(pragma::<String>(&db, "journal_mode").await, "wal");
        // 1 is NORMAL (2 would be FULL).
        assert_eq!(pragma::<i64>(&db, "synchronous").await, 1);
    }

    #[actix_web::test]
    async fn a_call_past_its_deadline_fails_as_a_connection_error() {
        let never = std::future::pending::<Result<(), DbErr>>();
        let err = within(Duration::from_millis(10), never).await.unwrap_err();
        assert!(matches!(err, DbErr::Conn(_)), "{err:?}");
        assert_eq!(within(Duration::from_secs(1), async { Ok(7) }).await, Ok(7));
    }

    #[test]
    fn sqlite_connections_are_handed_out_without_a_ping_and_postgres_ones_with_one() {
        assert!(!options("sqlite://presence.db?mode=rwc").get_test_before_acquire());
        assert!(!options("sqlite::memory:").get_test_before_acquire());
        assert!(options("postgres://postgres@127.0.0.1/test").get_test_before_acquire());
    }

    #[test]
    fn only_sqlite_busy_counts_as_busy() {
        assert!(!is_sqlite_busy(&DbErr::Custom("busy".into())));
    }
}
