//! Logging: the tracing subscriber and one line per HTTP request.
//!
//! Every request gets a short random id. It names the request's tracing
//! span, comes back in the `X-Request-Id` header, and is logged by the
//! WebSocket session that the request may have become.

use std::time::Instant;

use actix_web::{
    Error, HttpMessage, HttpRequest,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
};
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

use crate::{
    auth::{current_user::LoggedUser, token},
    config::LogFormat,
    error::AppError,
    metrics::HTTP_REQUESTS,
};

/// Installs the global subscriber with human-readable lines.
pub fn init(filter: &str) {
    init_with_format(filter, LogFormat::Text);
}

/// Installs the global subscriber, filtered by `filter` (`RUST_LOG`), in
/// the given format. Calling it again is harmless, which tests rely on.
pub fn init_with_format(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        // One object per line; the request span (with its id) is included.
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

/// The id of the request being served, kept in its extensions.
#[derive(Clone)]
pub struct RequestId(String);

impl RequestId {
    /// The id of `req`, or `-` outside the logging middleware.
    pub fn of(req: &HttpRequest) -> String {
        req.extensions()
            .get::<RequestId>()
            .map(|id| id.0.clone())
            .unwrap_or_else(|| "-".to_owned())
    }
}

/// Middleware: logs `HTTP METHOD PATH STATUS` with the time taken, the
/// peer and the user, as the seed's terminal did.
///
/// It is the outermost layer, so it also turns an error from an inner
/// middleware into a page. The only such errors come from the session
/// store (its database or Redis did not answer), which is a 503, not a 500.
pub async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = token::random(12);
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.path().to_owned();
    let peer = req
        .peer_addr()
        .map(|addr| addr.to_string())
        .unwrap_or_else(|| "-".to_owned());

    let span = tracing::info_span!("request", request_id = %id);
    let result = next.call(req).instrument(span).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(mut response) => {
            let user = response
                .request()
                .extensions()
                .get::<LoggedUser>()
                .map(|user| user.0.to_string())
                .unwrap_or_else(|| "-".to_owned());
            let status = response.status().as_u16();
            let route = response
                .request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".to_owned());
            metrics::counter!(HTTP_REQUESTS, "route" => route, "status" => status.to_string())
                .increment(1);
            tracing::info!(
                request_id = %id, %method, %path, status, elapsed_ms, %peer, %user,
                "HTTP {method} {path} {status}"
            );
            if let Ok(value) = HeaderValue::from_str(&id) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static("x-request-id"), value);
            }
            Ok(response)
        }
        Err(err) => {
            metrics::counter!(HTTP_REQUESTS, "route" => "unknown", "status" => "503").increment(1);
            tracing::warn!(
                request_id = %id, %method, %path, elapsed_ms, %peer, error = %err,
                "HTTP {method} {path} 503: a backing store failed"
            );
            Err(AppError::Unavailable(anyhow::anyhow!("{err}")).into())
        }
    }
}
