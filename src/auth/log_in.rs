//! `GET/POST /log_in/`: Django's `AuthenticationForm`, in Rust.

use actix_session::Session;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use tera::Context;

use crate::{
    auth::{
        AuthSettings, MaybeUser, Username, csrf,
        current_user::{self, LoggedUser},
        form::{self, FieldErrors, NON_FIELD},
        next::NextPath,
        password, username,
    },
    error::AppError,
    forwarded,
    live::hub::{Hub, PresenceHub, UserLoggedIn, UserLoggedOut},
    metrics::LOGINS,
    pages::see_other,
    throttle::Verdict,
    users,
};

/// Django's message, which does not say which of the two was wrong.
pub const INVALID_LOGIN: &str =
    "Please enter a correct username and password. Note that both fields may be case-sensitive.";

/// The fields of the login form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LogInForm {
    /// The name, matched ignoring case.
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
    session: &Session,
    username: &str,
    next: Option<&NextPath>,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = Context::new();
    context.insert("username", username);
    context.insert("next", next.map(NextPath::as_str).unwrap_or(""));
    form::render(TEMPLATE, session, context, errors)
}

/// `GET /log_in/`.
pub async fn show(
    session: Session,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let next = NextPath::parse(&query.next);
    render(&session, "", next.as_ref(), &FieldErrors::default())
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
    csrf::verify(&session, &form.csrfmiddlewaretoken)?;
    let form = form.into_inner();
    let next = NextPath::parse(&form.next);
    let typed = form.username.trim().to_owned();

    let mut errors = FieldErrors::default();
    if typed.is_empty() {
        errors.add("username", "This field is required.");
    }
    if form.password.is_empty() {
        errors.add("password", "This field is required.");
    }
    if !errors.is_empty() {
        return render(&session, &typed, next.as_ref(), &errors);
    }

    // Checked before bcrypt: a throttled attempt costs no CPU.
    let throttle_key = format!(
        "login:{}:{}",
        username::fold(&typed),
        forwarded::ip_text(&req)
    );
    if let Verdict::Blocked { retry_after } = settings
        .throttle
        .check(&throttle_key, settings.login_limit)
        .await
    {
        metrics::counter!(LOGINS, "outcome" => "throttled").increment(1);
        tracing::warn!(user = %typed, "login throttled");
        return Err(AppError::throttled(retry_after));
    }

    let account = users::find_by_name(&db, &typed).await?;
    let stored = account.as_ref().map_or_else(
        || settings.dummy_hash.clone(),
        |user| user.password_hash.clone(),
    );
    let matches = password::verify(form.password, stored)
        .await
        .map_err(AppError::internal)?;
    let Some(account) = account.filter(|_| matches) else {
        metrics::counter!(LOGINS, "outcome" => "failure").increment(1);
        settings
            .throttle
            .hit(&throttle_key, settings.login_limit)
            .await;
        tracing::info!(user = %typed, "failed login");
        errors.add(NON_FIELD, INVALID_LOGIN);
        return render(&session, &typed, next.as_ref(), &errors);
    };
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
    settings.throttle.clear(&throttle_key).await;
    metrics::counter!(LOGINS, "outcome" => "success").increment(1);
    let session_id = current_user::log_in(&req, &session, account.id)?;
    req.extensions_mut().insert(LoggedUser(username.clone()));
    tracing::info!(user = %username, "logged in");
    notify(
        &hub,
        UserLoggedIn {
            user: username,
            session: session_id,
        },
    )
    .await;
    Ok(see_other(next.as_ref().map_or("/", NextPath::as_str)))
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
