//! `GET/POST /sign_up/`: Django's `UserCreationForm`, in Rust.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use tera::Context;

use crate::{
    auth::{
        AuthSettings, Password, Username, csrf,
        form::{self, FieldErrors},
        password,
    },
    error::AppError,
    forwarded,
    live::hub::{Hub, UserSignedUp},
    metrics::SIGNUPS,
    pages::see_other,
    throttle::Verdict,
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
    session: &Session,
    username: &str,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = Context::new();
    context.insert("username", username);
    form::render(TEMPLATE, session, context, errors)
}

/// `GET /sign_up/`.
pub async fn show(session: Session) -> Result<HttpResponse, AppError> {
    render(&session, "", &FieldErrors::default())
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
    session: Session,
    form: web::Form<SignUpForm>,
    db: web::Data<DatabaseConnection>,
    hub: web::Data<Hub>,
    settings: web::Data<AuthSettings>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrfmiddlewaretoken)?;
    let address = forwarded::ip_text(&req);
    if let Verdict::Blocked { retry_after } = settings
        .throttle
        .hit(&format!("signup:{address}"), settings.signup_limit)
        .await
    {
        metrics::counter!(SIGNUPS, "outcome" => "throttled").increment(1);
        tracing::warn!(%address, "sign-up throttled");
        return Err(AppError::throttled(retry_after));
    }
    let typed = form.username.trim().to_owned();
    let (username, password) = match validate(&form) {
        Ok(valid) => valid,
        Err(errors) => {
            metrics::counter!(SIGNUPS, "outcome" => "invalid").increment(1);
            return render(&session, &typed, &errors);
        }
    };
    let taken = || {
        let mut errors = FieldErrors::default();
        errors.add("username", CreateUserError::Taken);
        render(&session, &typed, &errors)
    };
    // Checked before hashing, so a taken name costs no bcrypt time.
    if users::name_taken(&db, &username).await? {
        return taken();
    }
    let hash = password::hash(password, settings.bcrypt_cost)
        .await
        .map_err(AppError::internal)?;
    match users::create(&db, &username, hash).await {
        Ok(_) => {}
        Err(CreateUserError::Taken) => return taken(),
        Err(CreateUserError::Db(err)) => return Err(err.into()),
    }
    tracing::info!(user = %username, "signed up");
    metrics::counter!(SIGNUPS, "outcome" => "success").increment(1);
    hub.tell(UserSignedUp { user: username });
    Ok(see_other("/log_in/"))
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
