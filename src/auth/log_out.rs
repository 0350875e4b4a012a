//! `GET/POST /log_out/`: only a POST with a valid token logs out.
//!
//! The seed logged out on a GET, so any page could log a visitor out with
//! an `<img src="/log_out/">`. Here `GET` only shows a confirm button.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tera::Context;

use crate::{
    auth::{
        AuthSettings, MaybeUser,
        csrf::Csrf,
        current_user,
        form::{self, FieldErrors},
        log_in::notify,
    },
    error::AppError,
    live::hub::{Hub, UserLoggedOut},
    pages::see_other,
};

/// The log-out form: only the token.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LogOutForm {
    /// The CSRF token.
    pub csrfmiddlewaretoken: String,
}

/// `GET /log_out/`: a confirm form, or the login page for a visitor who is
/// not logged in.
pub async fn confirm(
    req: HttpRequest,
    viewer: MaybeUser,
    settings: web::Data<AuthSettings>,
) -> Result<HttpResponse, AppError> {
    let Some(viewer) = viewer.0 else {
        return Ok(see_other("/log_in/"));
    };
    let mut context = Context::new();
    context.insert("viewer", viewer.username.as_str());
    form::render(
        &req,
        &settings,
        "log_out.html",
        context,
        &FieldErrors::default(),
    )
}

/// `POST /log_out/`: closes this login's sockets (1000), takes the user
/// offline unless another login still has a socket, deletes the session
/// on the server and replaces the CSRF secret.
pub async fn submit(
    req: HttpRequest,
    session: Session,
    form: web::Form<LogOutForm>,
    viewer: MaybeUser,
    hub: web::Data<Hub>,
    settings: web::Data<AuthSettings>,
) -> Result<HttpResponse, AppError> {
    settings.csrf.verify(&req, &form.csrfmiddlewaretoken)?;
    if let Some(viewer) = viewer.0 {
        tracing::info!(user = %viewer.username, "logged out");
        notify(
            &hub,
            UserLoggedOut {
                user: viewer.username,
                session: viewer.session,
            },
        )
        .await;
    }
    current_user::log_out(&session);
    let mut response = see_other("/log_in/");
    settings.csrf.attach(&Csrf::rotated(), &mut response)?;
    Ok(response)
}
