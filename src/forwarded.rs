//! Who is on the other end of a request: their address, and whether they
//! came over HTTPS, taking a trusted reverse proxy into account.

use std::net::IpAddr;

use actix_web::HttpRequest;

/// Whether to believe `X-Forwarded-For` and `X-Forwarded-Proto`
/// (`TRUST_PROXY`), shared through `web::Data`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProxyTrust(pub bool);

fn trusted(req: &HttpRequest) -> bool {
    req.app_data::<actix_web::web::Data<ProxyTrust>>()
        .is_some_and(|trust| trust.0)
}

/// The client's IP address. Behind a trusted proxy it is the last address
/// in `X-Forwarded-For`, the one the proxy itself added; earlier entries
/// come from the client and could be forged.
pub fn ip(req: &HttpRequest) -> Option<IpAddr> {
    if trusted(req)
        && let Some(forwarded) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        && let Some(last) = forwarded.rsplit(',').next()
        && let Ok(ip) = last.trim().parse()
    {
        return Some(ip);
    }
    req.peer_addr().map(|addr| addr.ip())
}

/// The client's address as text, for throttling keys and logs.
pub fn ip_text(req: &HttpRequest) -> String {
    ip(req).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// Whether the client used HTTPS, according to a trusted proxy.
pub fn came_over_https(req: &HttpRequest) -> bool {
    trusted(req)
        && req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use actix_web::{test::TestRequest, web::Data};

    use super::*;

    #[test]
    fn forwarded_headers_are_ignored_without_trust() {
        let req = TestRequest::default()
            .peer_addr("10.0.0.9:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "1.2.3.4"))
            .insert_header(("x-forwarded-proto", "https"))
            .to_http_request();
        assert_eq!(ip_text(&req), "10.0.0.9");
        assert!(!came_over_https(&req));
    }

    #[test]
    fn behind_a_trusted_proxy_the_last_forwarded_hop_is_the_client() {
        let req = TestRequest::default()
            .app_data(Data::new(ProxyTrust(true)))
            .peer_addr("10.0.0.9:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "6.6.6.6, 1.2.3.4"))
            .insert_header(("x-forwarded-proto", "https"))
            .to_http_request();
        assert_eq!(ip_text(&req), "1.2.3.4");
        assert!(came_over_https(&req));
    }
}
