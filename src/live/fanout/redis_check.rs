//! Checking, at start, that Redis is set up the way presence needs.
//!
//! Presence keeps its shared state in Redis without a backup copy: a Redis
//! that evicts keys under memory pressure could drop a node's lease (its
//! users would be reaped while it is alive) or a user's count (they would
//! show offline). So `maxmemory-policy` must be `noeviction`. Persistence is
//! optional: a Redis that restarts empty is refilled by the nodes within
//! seconds. Managed services often refuse `CONFIG`; then presence says it
//! could not check rather than guessing.

use redis::aio::MultiplexedConnection;

/// What is unsafe about an eviction policy, if anything.
pub fn judge_policy(policy: &str) -> Option<String> {
    (policy != "noeviction").then(|| {
        format!(
            "Redis maxmemory-policy is {policy:?}: under memory pressure Redis may evict a node's \
             lease or a user's count, showing live users offline; set it to noeviction"
        )
    })
}

/// Whether `INFO cluster` says Redis Cluster is on, which presence's
/// multi-key scripts do not support.
pub fn is_redis_cluster(info: &str) -> bool {
    info.lines().any(|line| line.trim() == "cluster_enabled:1")
}

/// Logs a warning for each unsafe setting, or that it could not check.
pub async fn warn_if_unsafe(conn: &mut MultiplexedConnection) {
    let mut get = redis::cmd("CONFIG");
    get.arg("GET").arg("maxmemory-policy");
    match get.query_async::<Vec<String>>(conn).await {
        Ok(pair) => match pair.get(1) {
            Some(policy) => {
                if let Some(warning) = judge_policy(policy) {
                    tracing::warn!("{warning}");
                }
            }
            None => tracing::warn!("could not read Redis maxmemory-policy; it must be noeviction"),
        },
        Err(err) => tracing::warn!(
            error = %err,
            "could not check Redis settings (CONFIG GET refused?); \
             make sure maxmemory-policy is noeviction"
        ),
    }
    let mut info = redis::cmd("INFO");
    info.arg("cluster");
    if let Ok(text) = info.query_async::<String>(conn).await
        && is_redis_cluster(&text)
    {
        tracing::warn!("Redis Cluster is not supported: use one Redis primary (with replicas)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noeviction_is_the_only_safe_policy() {
        assert_eq!(judge_policy("noeviction"), None);
        for policy in [
            "allkeys-lru",
            "volatile-lru",
            "allkeys-random",
            "volatile-ttl",
        ] {
            assert!(judge_policy(policy).is_some(), "{policy}");
        }
    }

    #[test]
    fn redis_cluster_is_recognised_in_info_output() {
        assert!(is_redis_cluster("# Cluster\r\ncluster_enabled:1\r\n"));
        assert!(!is_redis_cluster("# Cluster\r\ncluster_enabled:0\r\n"));
    }
}
