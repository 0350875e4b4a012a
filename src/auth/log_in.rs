//! `GET/POST /log_in/`: Django's `AuthenticationForm`, in Rust.
//!
//! A POST costs the server in this order, each step only if the one before
//! let it through: the CSRF check; parsing the username (a name that cannot
//! exist is answered at once, with no look-up, no counter and no log line);
//! reserving the attempt against the rate limits; a place in the bounded
//! bcrypt queue; the look-up and the check.

use actix_session::Session;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use entity::user;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use tera::Context;

use crate::{
    auth::{
        AuthSettings, MaybeUser, Username, attempts,
        csrf::Csrf,
        current_user::{self, LoggedUser},
        form::{self, FieldErrors, NON_FIELD},
        hashing::HashError,
        next::NextPath,
        username::UsernameError,
    },
    error::AppError,
    forwarded,
    live::{
        hub::{Hub, PresenceHub, UserLoggedIn, UserLoggedOut},
        status::Device,
    },
    metrics::LOGINS,
    pages::see_other,
    throttle::AddressBucket,
    users,
};

/// Django's message, which does not say which of the two was wrong.
pub const INVALID_LOGIN: &str =
    "Please enter a correct username and password. Note that both fields may be case-sensitive.";

/// The fields of the login form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LogInForm {
    /// The name, matched ignoring case and compatibility forms.
    pub username: String,
    /// The password.
    pub password: String,
    /// Where to go afterwards, carried over from `?next=`.
    pub next: String,
    /// The CSRF token.
    pub csrfmiddlewaretoken: String,
}

/// The query of `GET /log_in/`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    /// Where to go after logging in.
    pub next: String,
}

const TEMPLATE: &str = "log_in.html";

fn render(
    req: &HttpRequest,
    settings: &AuthSettings,
    username: &str,
    next: Option<&NextPath>,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = Context::new();
    context.insert("username", username);
    context.insert("next", next.map(NextPath::as_str).unwrap_or(""));
    form::render(req, settings, TEMPLATE, context, errors)
}

/// `GET /log_in/`.
pub async fn show(
    req: HttpRequest,
    query: web::Query<NextQuery>,
    settings: web::Data<AuthSettings>,
) -> Result<HttpResponse, AppError> {
    let next = NextPath::parse(&query.next);
    render(&req, &settings, "", next.as_ref(), &FieldErrors::default())
}

/// The form's fields, parsed: a username that may exist, or the errors
/// to show. Django's messages: a name that is too long is told so, and
/// one with a character no name has fails like a wrong password.
fn parse(form: &LogInForm) -> Result<Username, FieldErrors> {
    let mut errors = FieldErrors::default();
    let username = Username::parse(&form.username)
        .map_err(|err| match err {
            UsernameError::InvalidCharacter => errors.add(NON_FIELD, INVALID_LOGIN),
            other => errors.add("username", other),
        })
        .ok();
    if form.password.is_empty() {
        errors.add("password", "This field is required.");
    }
    username.filter(|_| errors.is_empty()).ok_or(errors)
}

/// `POST /log_in/`: checks the password on the blocking pool, renews the
/// session and tells the hub, which announces the user at once.
pub async fn submit(
    req: HttpRequest,
    session: Session,
    form: web::Form<LogInForm>,
    viewer: MaybeUser,
    db: web::Data<DatabaseConnection>,
    hub: web::Data<Hub>,
    settings: web::Data<AuthSettings>,
) -> Result<HttpResponse, AppError> {
    settings.csrf.verify(&req, &form.csrfmiddlewaretoken)?;
    let form = form.into_inner();
    let next = NextPath::parse(&form.next);
    let typed = form.username.trim();
    let username = match parse(&form) {
        Ok(username) => username,
        Err(errors) => {
            metrics::counter!(LOGINS, "outcome" => "invalid").increment(1);
            return render(&req, &settings, typed, next.as_ref(), &errors);
        }
    };

    let from = AddressBucket::of(forwarded::ip(&req));
    let limits = &settings.limits;
    let attempt = match attempts::reserve_login(&settings.throttle, limits, &username, from).await {
        Ok(attempt) => attempt,
        Err(retry_after) => {
            metrics::counter!(LOGINS, "outcome" => "throttled").increment(1);
            tracing::warn!(user = %username, "login throttled");
            return Err(AppError::throttled(retry_after));
        }
    };
    let account = match check(&db, &settings, &username, &form.password).await {
        Ok(account) => account,
        Err(err) => {
            attempt.give_back().await;
            if matches!(err, AppError::Busy) {
                metrics::counter!(LOGINS, "outcome" => "busy").increment(1);
            }
            return Err(err);
        }
    };
    let Some(account) = account else {
        attempt.keep();
        metrics::counter!(LOGINS, "outcome" => "failure").increment(1);
        tracing::info!(user = %username, "failed login");
        let mut errors = FieldErrors::default();
        errors.add(NON_FIELD, INVALID_LOGIN);
        return render(&req, &settings, typed, next.as_ref(), &errors);
    };
    attempt.succeeded().await;
    upgrade_hash(&db, &settings, &account, &form.password).await;
    let username = Username::parse(&account.username)
        .map_err(|err| AppError::internal(anyhow::anyhow!("stored username: {err}")))?;

    // Logging in over another login ends that one first.
    if let Some(previous) = viewer.0 {
        notify(
            &hub,
            UserLoggedOut {
                user: previous.username,
                session: previous.session,
            },
        )
        .await;
    }
    metrics::counter!(LOGINS, "outcome" => "success").increment(1);
    let session_id = current_user::log_in(&req, &session, account.id)?;
    req.extensions_mut().insert(LoggedUser(username.clone()));
    tracing::info!(user = %username, "logged in");
    notify(
        &hub,
        UserLoggedIn {
            profile: users::profile_of(&account),
            device: Device::of_request(&req),
            user: username,
            session: session_id,
        },
    )
    .await;
    let mut response = see_other(next.as_ref().map_or("/", NextPath::as_str));
    // A token seen before the login is worthless after it.
    settings.csrf.attach(&Csrf::rotated(), &mut response)?;
    Ok(response)
}

/// The account `username` names if `password` is its password. Unknown
/// names are checked against a decoy, so both answers take as long.
async fn check(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    username: &Username,
    password: &str,
) -> Result<Option<user::Model>, AppError> {
    let account = users::find_by_username(db, username).await?;
    let stored = account.as_ref().map(|user| user.password_hash.as_str());
    match settings.hasher.verify(password, stored).await {
        Ok(true) => Ok(account),
        Ok(false) => Ok(None),
        Err(HashError::Busy) => Err(AppError::Busy),
        Err(err) => Err(AppError::internal(err)),
    }
}

/// Rehashes the password at the configured cost when it is stored at
/// another, as Django does at login. A failure only delays the upgrade to
/// the next login.
async fn upgrade_hash(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    account: &user::Model,
    password: &str,
) {
    let stored = &account.password_hash;
    let fresh = match settings.hasher.rehash(password, stored).await {
        Ok(Some(fresh)) => fresh,
        Ok(None) => return,
        Err(err) => {
            tracing::debug!(error = %err, "password not rehashed this time");
            return;
        }
    };
    match users::replace_password_hash(db, account.id, stored, &fresh).await {
        Ok(_) => tracing::info!(
            user_id = account.id,
            cost = settings.hasher.cost(),
            "password rehashed"
        ),
        Err(err) => tracing::warn!(error = %err, "could not store the rehashed password"),
    }
}

/// Sends to the hub and waits until it has handled the message, so the
/// response only leaves once everyone is being told.
pub(crate) async fn notify<M>(hub: &Hub, message: M)
where
    M: actix::Message<Result = ()> + Send + 'static,
    PresenceHub: actix::Handler<M>,
{
    if let Err(err) = hub.ask(message).await {
        tracing::error!(error = %err, "presence hub unreachable");
    }
}
