//! Who is on the other end of a request: their address, and whether they
//! came over HTTPS, taking a trusted reverse proxy into account.
//!
//! A proxy appends the address it saw to `X-Forwarded-For`, either to the
//! last line (nginx's `$proxy_add_x_forwarded_for`) or as a line of its own
//! (HAProxy's `option forwardfor`). Every hop to the left of the proxy's
//! own came from the client and can be forged, so only the right-most hop
//! of all the lines is believed, and when that one is not an address the
//! TCP peer is used: falling back to a hop further left would let a client
//! choose its own rate-limit key.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use actix_web::{HttpRequest, http::header::HeaderValue};

/// Whether to believe `X-Forwarded-For` and `X-Forwarded-Proto`
/// (`TRUST_PROXY`), shared through `web::Data`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProxyTrust(pub bool);

fn trusted(req: &HttpRequest) -> bool {
    req.app_data::<actix_web::web::Data<ProxyTrust>>()
        .is_some_and(|trust| trust.0)
}

/// The client's IP address. Behind a trusted proxy it is the right-most
/// hop of `X-Forwarded-For`, the one the proxy itself added; otherwise,
/// and when that hop is not an address, the TCP peer.
pub fn ip(req: &HttpRequest) -> Option<IpAddr> {
    if trusted(req)
        && let Some(ip) = last_hop(req.headers().get_all("x-forwarded-for"))
    {
        return Some(ip);
    }
    req.peer_addr().map(|addr| addr.ip().to_canonical())
}

/// The client's address as text, for throttling keys and logs.
pub fn ip_text(req: &HttpRequest) -> String {
    ip(req).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// Whether the client used HTTPS, according to a trusted proxy: the
/// right-most `X-Forwarded-Proto` value, the one the nearest proxy set,
/// is `https`.
pub fn came_over_https(req: &HttpRequest) -> bool {
    trusted(req)
        && last_value(req.headers().get_all("x-forwarded-proto"))
            .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

/// The right-most comma-separated value over all `lines` of one header,
/// trimmed; `None` when there is none or it is not text.
fn last_value<'a>(lines: impl Iterator<Item = &'a HeaderValue>) -> Option<&'a str> {
    let line = lines.last()?.to_str().ok()?;
    line.rsplit(',').next().map(str::trim)
}

/// The address in the right-most hop of `X-Forwarded-For` `lines`.
fn last_hop<'a>(lines: impl Iterator<Item = &'a HeaderValue>) -> Option<IpAddr> {
    last_value(lines).and_then(parse_hop)
}

/// One hop: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]` or
/// `[2001:db8::1]:5678`. IPv4-mapped IPv6 addresses become IPv4, so a
/// client has one key whichever way the proxy listens.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let ip = hop
        .parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|addr| addr.ip()))
        .ok()
        .or_else(|| {
            hop.strip_prefix('[')?
                .strip_suffix(']')?
                .parse::<Ipv6Addr>()
                .ok()
                .map(IpAddr::V6)
        })?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use actix_web::{test::TestRequest, web::Data};

    use super::*;

    const PEER: &str = "10.0.0.9:5000";

    /// A request from [`PEER`] behind a trusted proxy, with these
    /// `X-Forwarded-For` lines in order.
    fn forwarded_for(lines: &[&str]) -> HttpRequest {
        let mut req = TestRequest::default()
            .app_data(Data::new(ProxyTrust(true)))
            .peer_addr(PEER.parse().unwrap());
        for line in lines {
            req = req.append_header(("x-forwarded-for", *line));
        }
        req.to_http_request()
    }

    #[test]
    fn forwarded_headers_are_ignored_without_trust() {
        let req = TestRequest::default()
            .peer_addr(PEER.parse().unwrap())
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
            .peer_addr(PEER.parse().unwrap())
            .insert_header(("x-forwarded-for", "6.6.6.6, 1.2.3.4"))
            .insert_header(("x-forwarded-proto", "https"))
            .to_http_request();
        assert_eq!(ip_text(&req), "1.2.3.4");
        assert!(came_over_https(&req));
    }

    #[test]
    fn the_right_most_hop_of_the_last_of_several_lines_is_the_client() {
        let req = forwarded_for(&["6.6.6.6, 7.7.7.7", "1.2.3.4"]);
        assert_eq!(ip_text(&req), "1.2.3.4");
        let req = forwarded_for(&["1.2.3.4", "6.6.6.6,5.5.5.5"]);
        assert_eq!(ip_text(&req), "5.5.5.5");
    }

    #[test]
    fn spaces_around_hops_do_not_matter() {
        assert_eq!(
            ip_text(&forwarded_for(&["  6.6.6.6 ,\t1.2.3.4  "])),
            "1.2.3.4"
        );
        assert_eq!(ip_text(&forwarded_for(&["6.6.6.6,1.2.3.4"])), "1.2.3.4");
    }

    #[test]
    fn a_hop_with_a_port_counts_as_its_address() {
        assert_eq!(
            ip_text(&forwarded_for(&["6.6.6.6, 1.2.3.4:5678"])),
            "1.2.3.4"
        );
        assert_eq!(
            ip_text(&forwarded_for(&["[2001:db8::1]:443"])),
            "2001:db8::1"
        );
    }

    #[test]
    fn ipv6_hops_are_read_bare_or_in_brackets() {
        assert_eq!(ip_text(&forwarded_for(&["2001:db8::7"])), "2001:db8::7");
        assert_eq!(ip_text(&forwarded_for(&["[2001:db8::7]"])), "2001:db8::7");
        assert_eq!(
            ip_text(&forwarded_for(&["1.2.3.4, ::ffff:198.51.100.3"])),
            "198.51.100.3",
            "an IPv4-mapped address is the IPv4 client"
        );
    }

    #[test]
    fn a_right_most_hop_that_is_not_an_address_falls_back_to_the_peer() {
        for garbage in [
            "1.2.3.4, garbage",
            "1.2.3.4,",
            "1.2.3.4, ",
            "",
            "unknown",
            "1.2.3.4:99999",
            "[1.2.3.4]",
            "[2001:db8::1",
            "2001:db8::1]:80",
            "1.2.3.4 5.6.7.8",
            "300.1.1.1",
        ] {
            assert_eq!(
                ip_text(&forwarded_for(&[garbage])),
                "10.0.0.9",
                "{garbage:?}"
            );
        }
        // Never a hop further left, which the client wrote.
        assert_eq!(
            ip_text(&forwarded_for(&["1.2.3.4", "not-an-ip"])),
            "10.0.0.9"
        );
    }

    #[test]
    fn a_header_that_is_not_text_falls_back_to_the_peer() {
        let req = TestRequest::default()
            .app_data(Data::new(ProxyTrust(true)))
            .peer_addr(PEER.parse().unwrap())
            .insert_header((
                "x-forwarded-for",
                HeaderValue::from_bytes(b"1.2.3.4\xff").unwrap(),
            ))
            .to_http_request();
        assert_eq!(ip_text(&req), "10.0.0.9");
    }

    #[test]
    fn without_a_forwarded_header_the_peer_is_the_client() {
        assert_eq!(ip_text(&forwarded_for(&[])), "10.0.0.9");
    }

    #[test]
    fn only_the_nearest_proxys_scheme_counts() {
        let proto = |lines: &[&str]| {
            let mut req = TestRequest::default().app_data(Data::new(ProxyTrust(true)));
            for line in lines {
                req = req.append_header(("x-forwarded-proto", *line));
            }
            came_over_https(&req.to_http_request())
        };
        assert!(proto(&["https"]));
        assert!(proto(&["HTTPS"]));
        assert!(proto(&["http, https"]));
        assert!(proto(&["http", " https "]));
        assert!(!proto(&["https", "http"]), "a forged first line");
        assert!(!proto(&["https, http"]));
        assert!(!proto(&[]));
        assert!(!proto(&["wss"]));
    }
}
