//! `GET/POST /log_out/`: only a POST with a valid token logs out.
//!
//! The seed logged out on a GET, so any page could log a visitor out with
//! an `<img src="/log_out/">`. Here `GET` only shows a confirm button.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tera::Context;

use crate::{
    auth::{
        MaybeUser, csrf, current_user,
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
pub async fn confirm(session: Session, viewer: MaybeUser) -> Result<HttpResponse, AppError> {
    let Some(viewer) = viewer.0 else {
        return Ok(see_other("/log_in/"));
    };
    let mut context = Context::new();
    context.insert("viewer", viewer.username.as_str());
    form::render("log_out.html", &session, context, &FieldErrors::default())
}

/// `POST /log_out/`: closes this login's sockets (1000), takes the user
/// offline unless another login still has a socket, and deletes the
/// session on the server.
pub async fn submit(
    session: Session,
    form: web::Form<LogOutForm>,
    viewer: MaybeUser,
    hub: web::Data<Hub>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrfmiddlewaretoken)?;
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
    Ok(see_other("/log_in/"))
}
