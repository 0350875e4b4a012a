//! `GET /healthz`: whether this node can serve.
//!
//! It checks what a request needs: the database always, and Redis in
//! cluster mode. The answer is 200 with a small JSON body when everything
//! answers, and 503 naming what failed when something does not, so a load
//! balancer can take the node out of rotation.

use std::time::Duration;

use actix_web::{HttpResponse, http::header, web};
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::shared_redis::SharedRedis;

/// How long the database may take to answer.
const DB_TIMEOUT: Duration = Duration::from_secs(2);

/// What `/healthz` checks, shared through `web::Data`.
#[derive(Clone)]
pub struct HealthChecks {
    /// This node's id, reported in the body.
    pub node_id: String,
    /// The Redis of a cluster; `None` on a single node.
    pub redis: Option<SharedRedis>,
}

/// `GET /healthz`.
pub async fn healthz(
    db: web::Data<DatabaseConnection>,
    checks: web::Data<HealthChecks>,
) -> HttpResponse {
    let database = match tokio::time::timeout(DB_TIMEOUT, db.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(err.to_string()),
        Err(_) => Err("timed out".to_owned()),
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
    let describe = |result: &Result<(), String>| match result {
        Ok(()) => "ok".to_owned(),
        Err(err) => format!("error: {err}"),
    };
    let body = json!({
        "status": if failed.is_empty() { "ok" } else { "unavailable" },
        "node_id": checks.node_id,
        "database": describe(&database),
        "redis": redis.as_ref().map_or_else(|| "disabled".to_owned(), describe),
        "failed": failed,
    });
    let mut response = if failed.is_empty() {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}
