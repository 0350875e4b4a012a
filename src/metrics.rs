//! Prometheus metrics, served at `/metrics`.
//!
//! The `metrics` crate is a facade with one process-wide recorder, like
//! `tracing`; [`install`] sets up the Prometheus one once and returns its
//! handle, which renders the text format. Every metric presence records is
//! named here, with its help text, so this file is the catalogue.
//!
//! Gauges that describe one hub carry a `node` label, so several nodes (or
//! test servers in one process) stay apart.

use std::sync::OnceLock;

use metrics::{describe_counter, describe_gauge, describe_histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Gauge: WebSockets registered with the hub.
pub const OPEN_SOCKETS: &str = "presence_open_sockets";
/// Gauge: users the hub has announced as online.
pub const ONLINE_USERS: &str = "presence_online_users";
/// Counter: frames handed to sockets.
pub const FRAMES_SENT: &str = "presence_frames_sent_total";
/// Counter: frames not delivered because the socket's buffer was full or it was gone.
pub const FRAMES_DROPPED: &str = "presence_frames_dropped_total";
/// Counter, by `reason` (`slow`, `silent`, `abusive`): sockets the server closed.
pub const SOCKETS_CLOSED: &str = "presence_sockets_closed_total";
/// Counter, by `reason` (`rate`, `login`, `user`): WebSocket upgrades
/// refused with 429.
pub const SOCKETS_REFUSED: &str = "presence_sockets_refused_total";
/// Counter, by `outcome` (`success`, `failure`, `invalid`, `throttled`, `busy`): login attempts.
pub const LOGINS: &str = "presence_logins_total";
/// Counter, by `outcome` (`success`, `invalid`, `throttled`, `busy`): sign-up attempts.
pub const SIGNUPS: &str = "presence_signups_total";
/// Counter: bcrypt password checks run (each costs a quarter second of CPU at cost 12).
pub const PASSWORD_CHECKS: &str = "presence_password_checks_total";
/// Counter: hashes and checks refused because the bcrypt queue was full.
pub const PASSWORD_QUEUE_REFUSALS: &str = "presence_password_queue_refusals_total";
/// Gauge: rate-limit counters held in memory (single node; in a cluster they are in Redis).
pub const THROTTLE_KEYS: &str = "presence_throttle_keys";
/// Gauge: messages waiting in the hub's mailbox.
pub const HUB_MAILBOX: &str = "presence_hub_mailbox_depth";
/// Histogram: seconds from the hub deciding a presence change to
/// announcing it to its sockets (includes the database write, and the round
/// trip through Redis in a cluster).
pub const HUB_EVENT_LATENCY: &str = "presence_hub_event_latency_seconds";
/// Gauge, by `store` (`presence`, `profiles`): users whose latest state
/// is not yet known written to the database (at most one per user).
pub const STORE_BACKLOG: &str = "presence_store_backlog";
/// Counter, by `store`: database writes that failed or ran out of time
/// (each is retried until it lands).
pub const STORE_WRITE_FAILURES: &str = "presence_store_write_failures_total";
/// Counter, by `route` and `status`: HTTP requests served.
pub const HTTP_REQUESTS: &str = "presence_http_requests_total";

/// Bucket bounds of the latency histogram, in seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the Prometheus recorder (once per process) and returns the
/// handle that renders it.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(HUB_EVENT_LATENCY.to_owned()),
                    LATENCY_BUCKETS,
                )
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let handle = match builder.install_recorder() {
                Ok(handle) => handle,
                Err(err) => {
                    // Another recorder was installed first: render an
                    // unconnected one rather than fail start-up.
                    tracing::warn!(error = %err, "could not install the metrics recorder");
                    PrometheusBuilder::new().build_recorder().handle()
                }
            };
            describe();
            handle
        })
        .clone()
}

fn describe() {
    describe_gauge!(OPEN_SOCKETS, "WebSockets registered with the hub");
    describe_gauge!(ONLINE_USERS, "Users the hub has announced as online");
    describe_counter!(FRAMES_SENT, "Frames handed to sockets");
    describe_counter!(
        FRAMES_DROPPED,
        "Frames not delivered: socket buffer full or socket gone"
    );
    describe_counter!(
        SOCKETS_CLOSED,
        "Sockets the server closed, by reason: slow, stalled, silent or abusive"
    );
    describe_counter!(
        SOCKETS_REFUSED,
        "WebSocket upgrades refused with 429, by reason: rate, login or user"
    );
    describe_counter!(
        LOGINS,
        "Login attempts, by outcome: success, failure, invalid, throttled or busy"
    );
    describe_counter!(
        SIGNUPS,
        "Sign-up attempts, by outcome: success, invalid, throttled or busy"
    );
    describe_counter!(PASSWORD_CHECKS, "bcrypt password checks run");
    describe_counter!(
        PASSWORD_QUEUE_REFUSALS,
        "Password hashes and checks refused with 503 because the bcrypt queue was full"
    );
    describe_gauge!(
        THROTTLE_KEYS,
        "Rate-limit counters held in memory (single node only)"
    );
    describe_gauge!(
        HUB_MAILBOX,
        "Messages waiting in the presence hub's mailbox"
    );
    describe_histogram!(
        HUB_EVENT_LATENCY,
        metrics::Unit::Seconds,
        "From a presence change being decided to its announcement to local sockets"
    );
    describe_gauge!(
        STORE_BACKLOG,
        "Users whose latest state waits to be written to the database, by store"
    );
    describe_counter!(
        STORE_WRITE_FAILURES,
        "Database writes that failed or timed out (retried until they land), by store"
    );
    describe_counter!(HTTP_REQUESTS, "HTTP requests, by route pattern and status");
}

/// `GET /metrics`: the Prometheus text format.
pub async fn scrape(handle: actix_web::web::Data<PrometheusHandle>) -> actix_web::HttpResponse {
    handle.run_upkeep();
    actix_web::HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}
