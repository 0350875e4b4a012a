//! Claiming this node's id at start-up, before touching anything of it.
//!
//! A process started with the `NODE_ID` of a live node (a copied
//! environment, an overlapping deploy) must not remove that node's rows or
//! users. So a cluster node takes its lease before it clears the rows a
//! crashed predecessor left. While a live process renews the lease, the
//! new one waits a little (a predecessor killed a moment ago leaves a lease
//! that runs out within [`LEASE`]), then refuses to start. If Redis cannot
//! be reached, start-up goes on: the link takes the lease when Redis
//! returns, and never joins while another process holds it.

use std::time::{Duration, Instant};

use redis::{AsyncConnectionConfig, Client, aio::MultiplexedConnection};

use super::{
    ClusterConfig,
    lease::{LEASE, Renewal},
    redis_check,
};

/// How long a new process waits for its node id's lease to be free.
const WAIT: Duration = Duration::from_millis(LEASE.as_millis() as u64 * 2);
/// How long start-up gives Redis to answer before going on without it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How often a waiting process tries the lease again.
const POLL: Duration = Duration::from_millis(250);

/// Why a cluster node may not start.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// Another live process renews this node id's lease.
    #[error(
        "NODE_ID {node} belongs to another running process (its lease in Redis is still renewed); \
         stop that process or give this one another NODE_ID"
    )]
    Taken {
        /// The node id.
        node: String,
    },
}

/// Whether start-up owns its node id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The lease is this process's: its node id's leftovers are its own.
    Owned,
    /// Redis was unreachable: nothing could be checked.
    Unchecked,
}

/// Checks Redis's settings and takes this node's lease, waiting up to
/// [`WAIT`] for a predecessor's to run out.
pub async fn claim(config: &ClusterConfig) -> Result<Claim, ClaimError> {
    let Some(mut conn) = connect(&config.redis_url).await else {
        tracing::warn!(
            node_id = %config.node_id,
            "Redis is unreachable at start: could not check that NODE_ID is free; \
             the node joins the cluster when Redis returns"
        );
        return Ok(Claim::Unchecked);
    };
    redis_check::warn_if_unsafe(&mut conn).await;
    let started = Instant::now();
    let mut told = false;
    loop {
        match tokio::time::timeout(CONNECT_TIMEOUT, config.lease.renew(&mut conn)).await {
            Ok(Ok(Renewal::Renewed | Renewal::Acquired)) => return Ok(Claim::Owned),
            Ok(Ok(Renewal::Taken)) => {}
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "could not claim NODE_ID in Redis");
                return Ok(Claim::Unchecked);
            }
            Err(_) => return Ok(Claim::Unchecked),
        }
        if started.elapsed() >= WAIT {
            return Err(ClaimError::Taken {
                node: config.node_id.clone(),
            });
        }
        if !told {
            tracing::warn!(
                node_id = %config.node_id,
                "another process holds this NODE_ID's lease; waiting for it to run out"
            );
            told = true;
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn connect(url: &str) -> Option<MultiplexedConnection> {
    let settings = AsyncConnectionConfig::new()
        .set_connection_timeout(CONNECT_TIMEOUT)
        .set_response_timeout(CONNECT_TIMEOUT);
    let client = Client::open(url).ok()?;
    tokio::time::timeout(
        CONNECT_TIMEOUT,
        client.get_multiplexed_async_connection_with_config(&settings),
    )
    .await
    .ok()?
    .ok()
}
