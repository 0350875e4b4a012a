//! Reading and judging the server's answers to random forms: what every
//! answer must be (no 5xx, only local redirects), and helpers that say what
//! a given answer should hold (the login target, the rendered `next`).

use presence::auth::next::NextPath;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use url::{Url, form_urlencoded};

/// A response's status, `Location`, `Retry-After` and body.
pub(super) struct Answer {
    /// The HTTP status code.
    pub(super) status: u16,
    /// The `Location` header, if any.
    pub(super) location: Option<String>,
    /// Whether a `Retry-After` header came with it.
    pub(super) retry_after: bool,
    /// The body as text (empty if it was not readable).
    pub(super) body: String,
}

/// Reads what the checks need from `response`, body included.
pub(super) async fn answer(response: reqwest::Response) -> Answer {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
    };
    let location = header("location");
    let retry_after = header("retry-after").is_some();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    Answer {
        status,
        location,
        retry_after,
        body,
    }
}

/// What every answer to bad input must be: no 5xx, a page for every 4xx,
/// a `Retry-After` with every 429, and only local redirects.
pub(super) fn check_answer(
    what: &str,
    address: &str,
    answer: &Answer,
) -> Result<(), TestCaseError> {
    prop_assert!(
        (200..500).contains(&answer.status),
        "{what} answered {}: {}",
        answer.status,
        answer.body
    );
    if (400..500).contains(&answer.status) {
        prop_assert!(
            !answer.body.trim().is_empty(),
            "{what}: {} without a message",
            answer.status
        );
    }
    if answer.status == 429 {
        prop_assert!(answer.retry_after, "{what}: 429 without Retry-After");
    }
    if (300..400).contains(&answer.status) {
        let location = answer.location.as_deref();
        prop_assert!(
            location.is_some(),
            "{what}: {} without Location",
            answer.status
        );
        assert_local(address, location.unwrap_or_default())?;
    }
    Ok(())
}

/// The `Location` is a path on `address` itself.
pub(super) fn assert_local(address: &str, location: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        location.starts_with('/') && !location.starts_with("//") && !location.contains('\\'),
        "Location {location:?} is not a local path"
    );
    let base = Url::parse(address).expect("address");
    let target = base.join(location);
    prop_assert!(
        target
            .as_ref()
            .is_ok_and(|target| target.origin() == base.origin()),
        "Location {location:?} leaves {address}: {target:?}"
    );
    Ok(())
}

/// The value Tera renders for `text` inside an attribute.
pub(super) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2F;"),
            c => out.push(c),
        }
    }
    out
}

/// The raw value of the hidden `next` input of the login page.
pub(super) fn rendered_next(page: &str) -> Option<&str> {
    let marker = r#"name="next" value=""#;
    let start = page.find(marker)? + marker.len();
    let end = page[start..].find('"')? + start;
    Some(&page[start..end])
}

/// Where a successful login with this form body redirects: the body's
/// `next` if it is a local path, else `/`.
pub(super) fn expected_login_target(body: &[u8]) -> String {
    let next = form_urlencoded::parse(body)
        .filter(|(key, _)| key == "next")
        .map(|(_, value)| value.into_owned())
        .last()
        .unwrap_or_default();
    NextPath::parse(&next).map_or_else(|| "/".to_owned(), |next| next.as_str().to_owned())
}
