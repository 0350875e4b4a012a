//! The Tera templates, embedded in the binary.
//!
//! Embedding means `cargo run` works from any directory and a release binary
//! is self-contained. The templates are parsed once, on first use;
//! [`check`] forces that at start-up so a broken template stops the server
//! before it takes traffic, and a unit test keeps them parseable.

use std::sync::LazyLock;

use actix_web::{HttpResponse, http::StatusCode};
use tera::{Context, Tera};

use crate::error::AppError;

/// Every template, by name, as compiled into the binary.
const SOURCES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("log_in.html", include_str!("../templates/log_in.html")),
    ("log_out.html", include_str!("../templates/log_out.html")),
    ("sign_up.html", include_str!("../templates/sign_up.html")),
    (
        "user_list.html",
        include_str!("../templates/user_list.html"),
    ),
];

fn load() -> Result<Tera, tera::Error> {
    let mut tera = Tera::default();
    // `.html` templates are auto-escaped: every `{{ value }}` is HTML-safe.
    tera.add_raw_templates(SOURCES.iter().copied())?;
    Ok(tera)
}

static TEMPLATES: LazyLock<Result<Tera, tera::Error>> = LazyLock::new(load);

/// Parses the templates now, so that start-up fails on a broken one.
pub fn check() -> Result<(), tera::Error> {
    match &*TEMPLATES {
        Ok(_) => Ok(()),
        Err(_) => load().map(drop),
    }
}

/// Renders a template to a string.
pub fn render_string(name: &str, context: &Context) -> Result<String, AppError> {
    match &*TEMPLATES {
        Ok(tera) => tera.render(name, context).map_err(AppError::internal),
        Err(err) => Err(AppError::internal(anyhow::anyhow!("templates: {err}"))),
    }
}

/// Renders a template as a `200 OK` HTML page.
pub fn render(name: &str, context: &Context) -> Result<HttpResponse, AppError> {
    render_string(name, context).map(html)
}

/// Renders a template as a `200 OK` HTML page, with `fragment`, HTML that
/// is already escaped, where the template prints `{{ key | safe }}`.
///
/// A fragment can be megabytes (the list page's lines), and Tera would
/// copy it into its context, through the `safe` filter and into its
/// output. The template is rendered around a marker instead, and the
/// fragment copied in once.
pub fn render_with_fragment(
    name: &str,
    context: &mut Context,
    key: &str,
    fragment: &str,
) -> Result<HttpResponse, AppError> {
    context.insert(key, FRAGMENT_MARKER);
    let page = render_string(name, context)?;
    let (head, tail) = page
        .split_once(FRAGMENT_MARKER)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("{name} does not print {key} as is")))?;
    let mut body = String::with_capacity(head.len() + fragment.len() + tail.len());
    body.push_str(head);
    body.push_str(fragment);
    body.push_str(tail);
    Ok(html(body))
}

/// Stands in for a fragment while its template renders. No value a page
/// prints can contain it: every other value is escaped, and escaping
/// turns `<` into `&lt;`.
const FRAGMENT_MARKER: &str = "<!--presence:fragment-->";

/// A `200 OK` response with an HTML body.
fn html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// The error page for `status`. It cannot fail: if the template itself is
/// broken, a plain-text page still says what happened.
pub fn error_page(status: StatusCode, message: &str) -> String {
    let mut context = Context::new();
    context.insert("status", &status.as_u16());
    context.insert("reason", status.canonical_reason().unwrap_or("Error"));
    context.insert("message", message);
    render_string("error.html", &context)
        .unwrap_or_else(|_| format!("{} {}", status.as_u16(), tera::escape_html(message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_template_parses() {
        load().unwrap();
    }

    #[test]
    fn values_in_html_templates_are_escaped() {
        let page = error_page(StatusCode::BAD_REQUEST, "<script>alert(1)</script>");
        assert!(!page.contains("<script>alert(1)"));
        assert!(page.contains("&lt;script&gt;"));
    }

    #[actix_web::test]
    async fn a_fragment_lands_verbatim_where_the_template_prints_it() {
        let mut context = Context::new();
        context.insert("viewer", "amy");
        context.insert("online_count", &1);
        context.insert("next", &None::<String>);
        context.insert("csrf_token", "t");
        let fragment = "<li data-username=\"amy\">amy</li>";
        let response =
            render_with_fragment("user_list.html", &mut context, "lines", fragment).unwrap();
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap();
        let page = std::str::from_utf8(&body).unwrap();
        assert_eq!(page.matches(fragment).count(), 1);
        assert!(!page.contains(FRAGMENT_MARKER));
    }

    #[test]
    fn a_template_that_does_not_print_the_fragment_is_an_error() {
        let mut context = Context::new();
        context.insert("status", &500);
        context.insert("reason", "x");
        context.insert("message", "y");
        assert!(render_with_fragment("error.html", &mut context, "lines", "<li>").is_err());
    }
}
