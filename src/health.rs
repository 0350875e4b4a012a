//! `GET /healthz`: whether this node can serve.
//!
//! It checks what a request needs: the database always, and Redis in
//! cluster mode. The answer is 200 with a small JSON body when everything
//! answers, and 503 naming what failed when something does not, so a load
//! balancer can take the node out of rotation. A node that is shutting
//! down answers 503 with the status `draining` from the signal on, so no
//! new page is sent to it while its own pages move elsewhere.
//!
//! The database counts as failing when a ping does not answer in time, or
//! when the writers' last write failed ([`DbHealth`]): an SQLite file
//! locked by another process still answers reads, but takes no writes. A
//! writer that is failing already says so, and then no ping is waited for,
//! so the answer stays quick while the database is away.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use actix_web::{HttpResponse, http::header, web};
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::{shared_redis::SharedRedis, shutdown::ShutdownHandle};

/// How long the database may take to answer a ping.
const DB_TIMEOUT: Duration = Duration::from_secs(1);

/// Which database writers saw their last write fail. Shared by the writers
/// (which report) and `/healthz` (which reads). Cloning it is cheap.
#[derive(Clone, Default)]
pub struct DbHealth {
    failing: Arc<Mutex<BTreeSet<&'static str>>>,
}

impl DbHealth {
    /// Records whether `writer`'s last write landed.
    pub fn report(&self, writer: &'static str, landed: bool) {
        let mut failing = self.failing.lock().unwrap_or_else(PoisonError::into_inner);
        if landed {
            failing.remove(writer);
        } else {
            failing.insert(writer);
        }
    }

    /// The writers whose last write failed.
    pub fn failing(&self) -> Vec<&'static str> {
        let failing = self.failing.lock().unwrap_or_else(PoisonError::into_inner);
        failing.iter().copied().collect()
    }
}

/// What `/healthz` checks, shared through `web::Data`.
#[derive(Clone)]
pub struct HealthChecks {
    /// This node's id, reported in the body.
    pub node_id: String,
    /// The Redis of a cluster; `None` on a single node.
    pub redis: Option<SharedRedis>,
    /// How this node's database writes fare.
    pub database: DbHealth,
    /// Set once the node is shutting down (draining, in a cluster).
    pub shutdown: ShutdownHandle,
}

/// `GET /healthz`.
pub async fn healthz(
    db: web::Data<DatabaseConnection>,
    checks: web::Data<HealthChecks>,
) -> HttpResponse {
    let failing = checks.database.failing();
    let database = if failing.is_empty() {
        match tokio::time::timeout(DB_TIMEOUT, db.ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(err.to_string()),
            Err(_) => Err("timed out".to_owned()),
        }
    } else {
        Err(format!("writes failing ({})", failing.join(", ")))
    };
    let redis = match &checks.redis {
        None => None,
        Some(redis) => Some(redis.ping().await),
    };
    let mut failed = Vec::new();
    if database.is_err() {
        failed.push("database");
    }
    if matches!(redis, Some(Err(_))) {
        failed.push("redis");
    }
    let draining = checks.shutdown.is_stopping();
    let describe = |result: &Result<(), String>| match result {
        Ok(()) => "ok".to_owned(),
        Err(err) => format!("error: {err}"),
    };
    let body = json!({
        "status": if draining { "draining" } else if failed.is_empty() { "ok" } else { "unavailable" },
        "node_id": checks.node_id,
        "database": describe(&database),
        "redis": redis.as_ref().map_or_else(|| "disabled".to_owned(), describe),
        "failed": failed,
    });
    let mut response = if failed.is_empty() && !draining {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writer_is_failing_from_a_failed_write_until_one_lands() {
        let health = DbHealth::default();
        health.report("presence", false);
        health.report("profiles", true);
        assert_eq!(health.failing(), vec!["presence"]);
        health.report("presence", true);
        assert!(health.failing().is_empty());
    }
}
