//! Security headers on every response, and `Secure` cookies over HTTPS.
//!
//! - `Content-Security-Policy: default-src 'self'` and no inline script or
//!   style: the templates load everything from `/static/`, so an injected
//!   `<script>` would not run.
//! - `frame-ancestors 'none'` and `X-Frame-Options: DENY`: no clickjacking.
//! - `X-Content-Type-Options: nosniff` and `Referrer-Policy: same-origin`.
//! - Cookies get the `Secure` flag when `COOKIE_SECURE=true`, or when a
//!   trusted proxy says the client came over HTTPS.

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderValue},
    middleware::Next,
    web,
};

use crate::forwarded;

/// The policy: only this origin, for everything, and never in a frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/// Whether cookies are always `Secure` (`COOKIE_SECURE`).
#[derive(Clone, Copy, Debug, Default)]
pub struct CookieSecure(pub bool);

/// Middleware: adds the headers and secures cookies.
pub async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let always = req
        .app_data::<web::Data<CookieSecure>>()
        .is_some_and(|secure| secure.0);
    let secure = always || forwarded::came_over_https(req.request());
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if secure {
        let cookies: Vec<HeaderValue> = headers.get_all(header::SET_COOKIE).cloned().collect();
        headers.remove(header::SET_COOKIE);
        for cookie in cookies {
            headers.append(header::SET_COOKIE, with_secure(cookie));
        }
    }
    Ok(response)
}

fn with_secure(cookie: HeaderValue) -> HeaderValue {
    match cookie.to_str() {
        Ok(text) if !text.to_ascii_lowercase().contains("; secure") => {
            HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie)
        }
        _ => cookie,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_is_added_once() {
        let plain = with_secure(HeaderValue::from_static("sessionid=x; HttpOnly"));
        assert_eq!(plain, "sessionid=x; HttpOnly; Secure");
        let already = with_secure(HeaderValue::from_static("sessionid=x; Secure"));
        assert_eq!(already, "sessionid=x; Secure");
    }
}
