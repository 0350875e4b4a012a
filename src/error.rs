//! The one error type at the HTTP boundary.
//!
//! Modules keep their own `thiserror` enums; handlers convert them into
//! [`AppError`], which picks the status code and renders the error page.
//! Bad input is always a 4xx with a message a person can act on; a 5xx
//! means the server or its database is at fault.

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use sea_orm::DbErr;

use crate::templates;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The POST lacked a CSRF token matching its signed `csrftoken` cookie.
    #[error(
        "The form's security token is missing or has expired. Go back, reload the page and try again."
    )]
    Csrf,
    /// The WebSocket upgrade came without an authenticated session.
    #[error("Log in to open the live user list.")]
    Unauthorized,
    /// The WebSocket upgrade came from another site's page.
    #[error("This connection must come from presence's own pages.")]
    ForeignOrigin,
    /// No route matched.
    #[error("There is no page at this address.")]
    NotFound,
    /// The method is not allowed on this route.
    #[error("This address does not accept that kind of request.")]
    MethodNotAllowed,
    /// A request body over the limit.
    #[error("The form is too large: at most {limit} bytes are accepted.")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Too many attempts; try again after the given number of seconds.
    #[error("Too many attempts. Please wait {retry_after_secs} seconds and try again.")]
    TooManyRequests {
        /// Seconds until the window ends.
        retry_after_secs: u64,
    },
    /// A WebSocket upgrade over one of the socket caps.
    #[error("Too many live connections: {0}. Close some tabs and try again.")]
    TooManySockets(crate::live::admission::Refusal),
    /// The bcrypt queue is full: try again in a few seconds.
    #[error("The server is busy checking passwords. Please try again in a few seconds.")]
    Busy,
    /// A request that cannot be parsed at all.
    #[error("The request could not be understood: {0}")]
    BadRequest(String),
    /// The database or another dependency does not answer.
    #[error("The service is briefly unavailable. Please try again in a moment.")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or an unexpected failure; details go to the log only.
    #[error("Something went wrong on our side. Please try again.")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// The answer to a throttled request.
    pub fn throttled(retry_after: std::time::Duration) -> Self {
        // Round up, and never say 0: the client must wait.
        let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        Self::TooManyRequests {
            retry_after_secs: secs.max(1),
        }
    }

    /// Wraps an unexpected failure.
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }
}

impl From<DbErr> for AppError {
    /// A database that cannot be reached is a 503; anything else is a bug.
    fn from(err: DbErr) -> Self {
        match err {
            DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => Self::Unavailable(err.into()),
            other => Self::Internal(other.into()),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Csrf | Self::ForeignOrigin => StatusCode::FORBIDDEN,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::TooManyRequests { .. } | Self::TooManySockets(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) | Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            Self::Unavailable(err) => {
                tracing::warn!(error = %err, status = status.as_u16(), "dependency unavailable");
            }
            Self::Internal(err) => {
                tracing::error!(error = ?err, status = status.as_u16(), "request failed");
            }
            _ => tracing::debug!(error = %self, status = status.as_u16(), "request refused"),
        }
        let mut response = HttpResponse::build(status);
        match self {
            Self::Unavailable(_) | Self::Busy | Self::TooManySockets(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            Self::TooManyRequests { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        response
            .content_type("text/html; charset=utf-8")
            .body(templates::error_page(status, &self.to_string()))
    }
}
