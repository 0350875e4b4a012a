//! A hub driven directly by the test kit's stand-ins, on a fresh database
//! of its own (SQLite, or PostgreSQL when `DATABASE_URL` names one).

use std::time::Duration;

use presence::{db, testkit::TestHub};

use super::db::TestDb;

/// A hub and the database it writes to, dropped together.
pub struct Fixture {
    /// The hub under test.
    pub hub: TestHub,
    _data: TestDb,
}

/// A hub with a grace period of `grace` and accounts for `names`.
pub async fn hub_with(names: &[&str], grace: Duration) -> Fixture {
    let data = TestDb::fresh().await;
    let conn = db::connect(&data.url).await.expect("connect");
    db::migrate(&conn).await.expect("migrate");
    let hub = TestHub::on(conn, grace);
    for name in names {
        hub.add_user(name).await;
    }
    Fixture { hub, _data: data }
}
