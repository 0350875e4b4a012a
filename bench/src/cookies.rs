//! Cookies: what one browser-like client remembers between requests.

use crate::http::Response;

/// The cookies of one browser-like client.
#[derive(Clone, Default)]
pub struct CookieJar(Vec<(String, String)>);

impl CookieJar {
    /// Applies a response's `Set-Cookie` headers. An empty value or
    /// `Max-Age=0` deletes the cookie.
    pub fn absorb(&mut self, response: &Response) {
        for set_cookie in &response.set_cookies {
            let mut parts = set_cookie.split(';');
            let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            let expired = parts.any(|attr| attr.trim().eq_ignore_ascii_case("max-age=0"));
            self.0.retain(|(existing, _)| existing != name);
            if !value.is_empty() && !expired {
                self.0.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    /// The `Cookie` header value.
    pub fn header(&self) -> String {
        let pairs: Vec<String> = self.0.iter().map(|(n, v)| format!("{n}={v}")).collect();
        pairs.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_jar_keeps_the_latest_value_and_forgets_deleted_cookies() {
        let mut jar = CookieJar::default();
        let response = |cookies: &[&str]| Response {
            status: 200,
            set_cookies: cookies.iter().map(|c| c.to_string()).collect(),
            body: Vec::new(),
        };
        jar.absorb(&response(&["csrftoken=a; Path=/", "sessionid=s; HttpOnly"]));
        jar.absorb(&response(&["csrftoken=b; Path=/"]));
        assert_eq!(jar.header(), "sessionid=s; csrftoken=b");
        jar.absorb(&response(&["sessionid=; Max-Age=0"]));
        assert_eq!(jar.header(), "csrftoken=b");
    }
}
