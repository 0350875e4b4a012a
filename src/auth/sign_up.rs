//! `GET/POST /sign_up/`: Django's `UserCreationForm`, in Rust.
//!
//! As at login, a POST costs the server in order: the CSRF check; parsing
//! every field (an invalid form is answered at once, uncounted); the
//! attempt against the per-address limit; the look-up of the name; a place
//! in the bounded bcrypt queue; the hash and the insert.

use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use tera::Context;

use crate::{
    auth::{
        AuthSettings, Password, Username, attempts,
        form::{self, FieldErrors},
        hashing::HashError,
    },
    error::AppError,
    forwarded,
    live::hub::{Hub, UserSignedUp},
    metrics::SIGNUPS,
    pages::see_other,
    throttle::AddressBucket,
    users::{self, CreateUserError},
};

/// The fields of the sign-up form. Missing fields read as empty, so they
/// get a form error (or a 403 for the token), never a bare 400.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignUpForm {
    /// The wanted name.
    pub username: String,
    /// The password.
    pub password1: String,
    /// The password again.
    pub password2: String,
    /// The CSRF token.
    pub csrfmiddlewaretoken: String,
}

const TEMPLATE: &str = "sign_up.html";

fn render(
    req: &HttpRequest,
    settings: &AuthSettings,
    username: &str,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = Context::new();
    context.insert("username", username);
    form::render(req, settings, TEMPLATE, context, errors)
}

/// `GET /sign_up/`.
pub async fn show(
    req: HttpRequest,
    settings: web::Data<AuthSettings>,
) -> Result<HttpResponse, AppError> {
    render(&req, &settings, "", &FieldErrors::default())
}

/// Checks every field and reports every problem at once.
pub fn validate(form: &SignUpForm) -> Result<(Username, Password), FieldErrors> {
    let mut errors = FieldErrors::default();
    let username = Username::parse(&form.username)
        .map_err(|err| errors.add("username", err))
        .ok();
    if form.password2.is_empty() {
        errors.add("password2", "This field is required.");
    }
    let password = match Password::parse(form.password1.clone(), form.username.trim()) {
        Ok(password) => Some(password),
        Err(problems) => {
            problems
                .iter()
                .for_each(|problem| errors.add("password1", problem));
            None
        }
    };
    if !form.password1.is_empty() && !form.password2.is_empty() && form.password1 != form.password2
    {
        errors.add("password2", "The two password fields didn’t match.");
    }
    match (username, password) {
        (Some(username), Some(password)) if errors.is_empty() => Ok((username, password)),
        _ => Err(errors),
    }
}

/// `POST /sign_up/`: creates the account and tells every open list.
pub async fn submit(
    req: HttpRequest,
    form: web::Form<SignUpForm>,
    db: web::Data<DatabaseConnection>,
    hub: web::Data<Hub>,
    settings: web::Data<AuthSettings>,
) -> Result<HttpResponse, AppError> {
    settings.csrf.verify(&req, &form.csrfmiddlewaretoken)?;
    let typed = form.username.trim();
    let (username, password) = match validate(&form) {
        Ok(valid) => valid,
        Err(errors) => {
            metrics::counter!(SIGNUPS, "outcome" => "invalid").increment(1);
            return render(&req, &settings, typed, &errors);
        }
    };
    let from = AddressBucket::of(forwarded::ip(&req));
    let attempt = match attempts::reserve_sign_up(&settings.throttle, &settings.limits, from).await
    {
        Ok(attempt) => attempt,
        Err(retry_after) => {
            metrics::counter!(SIGNUPS, "outcome" => "throttled").increment(1);
            tracing::warn!(%from, "sign-up throttled");
            return Err(AppError::throttled(retry_after));
        }
    };
    let created = create(&db, &settings, &username, &password).await;
    if matches!(created, Err(AppError::Busy | AppError::Unavailable(_))) {
        // Never judged: the attempt does not count.
        attempt.give_back().await;
    } else {
        attempt.keep();
    }
    if !created? {
        let mut errors = FieldErrors::default();
        errors.add("username", CreateUserError::Taken);
        return render(&req, &settings, typed, &errors);
    }
    tracing::info!(user = %username, "signed up");
    metrics::counter!(SIGNUPS, "outcome" => "success").increment(1);
    hub.tell(UserSignedUp { user: username });
    Ok(see_other("/log_in/"))
}

/// Creates the account; `Ok(false)` when the name is taken.
async fn create(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    username: &Username,
    password: &Password,
) -> Result<bool, AppError> {
    // Checked before hashing, so a taken name costs no bcrypt time.
    if users::name_taken(db, username).await? {
        return Ok(false);
    }
    let hash = settings
        .hasher
        .hash(password)
        .await
        .map_err(|err| match err {
            HashError::Busy => {
                metrics::counter!(SIGNUPS, "outcome" => "busy").increment(1);
                AppError::Busy
            }
            other => AppError::internal(other),
        })?;
    match users::create(db, username, hash).await {
        Ok(_) => Ok(true),
        Err(CreateUserError::Taken) => Ok(false),
        Err(CreateUserError::Db(err)) => Err(err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(username: &str, password1: &str, password2: &str) -> SignUpForm {
        SignUpForm {
            username: username.into(),
            password1: password1.into(),
            password2: password2.into(),
            csrfmiddlewaretoken: String::new(),
        }
    }

    #[test]
    fn a_complete_valid_form_passes() {
        assert!(validate(&form("michael", "johnson123", "johnson123")).is_ok());
    }

    #[test]
    fn mismatched_passwords_are_reported_on_the_second_field() {
        let errors = validate(&form("michael", "johnson123", "johnson124")).unwrap_err();
        assert_eq!(
            errors.get("password2"),
            ["The two password fields didn’t match."]
        );
    }

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        let errors = validate(&form("bad name", "123", "")).unwrap_err();
        assert_eq!(errors.get("username").len(), 1);
        assert_eq!(errors.get("password1").len(), 2);
        assert_eq!(errors.get("password2"), ["This field is required."]);
    }
}
