//! What the account forms share: field errors and rendering with a token.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use tera::Context;

use crate::{auth::AuthSettings, error::AppError, templates};

/// The key of errors that belong to the whole form, as in Django.
pub const NON_FIELD: &str = "__all__";

/// Messages to show next to each field, by field name.
#[derive(Debug, Default, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<&'static str, Vec<String>>);

impl FieldErrors {
    /// Adds a message to `field`.
    pub fn add(&mut self, field: &'static str, message: impl ToString) {
        self.0.entry(field).or_default().push(message.to_string());
    }

    /// Whether the form is valid.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The messages of one field.
    pub fn get(&self, field: &str) -> &[String] {
        self.0.get(field).map(Vec::as_slice).unwrap_or_default()
    }
}

/// Renders a form page with a CSRF token and `errors`. The token masks
/// the browser's secret, or a new one that the response sets in its
/// cookie. The caller puts the values to keep (never passwords) in
/// `context`.
pub fn render(
    req: &HttpRequest,
    settings: &AuthSettings,
    template: &str,
    mut context: Context,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    settings.sessions_ready()?;
    let secret = settings.csrf.secret(req);
    context.insert("csrf_token", &secret.form_token());
    context.insert("errors", errors);
    let mut response = templates::render(template, &context)?;
    settings.csrf.attach(&secret, &mut response)?;
    Ok(response)
}
