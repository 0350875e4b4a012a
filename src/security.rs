//! Security headers on every response, and `Secure` cookies over HTTPS.
//!
//! - `Content-Security-Policy: default-src 'self'` and no inline script or
//!   style: the templates load everything from `/static/`, so an injected
//!   `<script>` would not run.
//! - `frame-ancestors 'none'` and `X-Frame-Options: DENY`: no clickjacking.
//! - `X-Content-Type-Options: nosniff` and `Referrer-Policy: same-origin`.
//! - Over HTTPS (`COOKIE_SECURE=true`, or a trusted proxy says the client
//!   came over HTTPS) cookies get the `Secure` flag and responses carry
//!   `Strict-Transport-Security`, so the browser never again asks for this
//!   host over plain HTTP, where the cookie could be read or a page forged.
//!   Never over plain HTTP: there the header would be a lie any
//!   man-in-the-middle could strip, and browsers ignore it anyway.

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

/// HSTS for a year, subdomains included: long enough that a returning
/// visitor is always covered (HSTS preload lists ask for at least this).
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// Whether cookies are always `Secure` (`COOKIE_SECURE`).
#[derive(Clone, Copy, Debug, Default)]
pub struct CookieSecure(pub bool);

/// Middleware: adds the headers, and over HTTPS secures cookies and adds HSTS.
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
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
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
    use actix_web::{
        App, HttpResponse,
        cookie::Cookie,
        middleware,
        test::{TestRequest, call_service, init_service},
    };

    use super::*;
    use crate::forwarded::ProxyTrust;

    /// The `Strict-Transport-Security` and `Set-Cookie` of a response from
    /// an app with these settings to a request with this
    /// `X-Forwarded-Proto`.
    async fn over(
        trust_proxy: bool,
        cookie_secure: bool,
        proto: Option<&str>,
    ) -> (Option<String>, String) {
        let app = init_service(
            App::new()
                .app_data(web::Data::new(ProxyTrust(trust_proxy)))
                .app_data(web::Data::new(CookieSecure(cookie_secure)))
                .wrap(middleware::from_fn(headers))
                .default_service(web::to(|| async {
                    HttpResponse::Ok()
                        .cookie(Cookie::new("sessionid", "x"))
                        .finish()
                })),
        )
        .await;
        let mut request = TestRequest::get().uri("/");
        if let Some(proto) = proto {
            request = request.insert_header(("x-forwarded-proto", proto));
        }
        let response = call_service(&app, request.to_request()).await;
        let text = |name| {
            response
                .headers()
                .get(name)
                .map(|value: &HeaderValue| value.to_str().unwrap().to_owned())
        };
        (
            text(header::STRICT_TRANSPORT_SECURITY),
            text(header::SET_COOKIE).unwrap(),
        )
    }

    #[actix_web::test]
    async fn https_through_a_trusted_proxy_gets_hsts_and_a_secure_cookie() {
        let (hsts, cookie) = over(true, false, Some("https")).await;
        assert_eq!(hsts.as_deref(), Some(STRICT_TRANSPORT_SECURITY));
        assert!(cookie.ends_with("; Secure"), "{cookie}");
    }

    #[actix_web::test]
    async fn cookie_secure_gets_hsts_and_a_secure_cookie() {
        let (hsts, cookie) = over(false, true, None).await;
        assert_eq!(hsts.as_deref(), Some(STRICT_TRANSPORT_SECURITY));
        assert!(cookie.ends_with("; Secure"), "{cookie}");
    }

    #[actix_web::test]
    async fn plain_http_gets_neither_hsts_nor_a_secure_cookie() {
        for (trust_proxy, proto) in [
            (false, None),
            (true, None),
            (true, Some("http")),
            // An untrusted claim of HTTPS.
            (false, Some("https")),
        ] {
            let (hsts, cookie) = over(trust_proxy, false, proto).await;
            assert_eq!(hsts, None, "{trust_proxy} {proto:?}");
            assert!(!cookie.contains("Secure"), "{trust_proxy} {proto:?}");
        }
    }

    #[test]
    fn secure_is_added_once() {
        let plain = with_secure(HeaderValue::from_static("sessionid=x; HttpOnly"));
        assert_eq!(plain, "sessionid=x; HttpOnly; Secure");
        let already = with_secure(HeaderValue::from_static("sessionid=x; Secure"));
        assert_eq!(already, "sessionid=x; Secure");
    }
}
